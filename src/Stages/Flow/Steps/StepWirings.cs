namespace Lmev.Flow.Steps;

/// <summary>Every step's wiring, in flow order: the one list the flow is built from (checked against <see cref="FlowSteps.All"/>).</summary>
internal static class StepWirings
{
    public static IReadOnlyList<StepWiring> For(ExperimentFlow flow) =>
    [
        new DownloadStep(flow),
        new FilterSpanishStep(flow),
        new SampleStep(flow),
        new SplitStep(flow),
        new ModelStep(flow),
        new EmbedStep(flow),
        new TrainStep(flow),
        new AggregateStep(flow),
        new PlotStep(flow),
        new ReportStep(flow),
    ];
}
