using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate;
using Lmev.Stages.Plot;

namespace Lmev.Flow.Steps;

/// <summary>Plot: the study's figures from Aggregate's tables and every run's metrics (its loss curves).</summary>
internal sealed class PlotStep(ExperimentFlow flow) : StepWiring(flow, "plot")
{
    public override IStage Build(Unit unit)
    {
        var aggregate = Flow.Get("aggregate");
        return new PlotStage(new PlotParams(), aggregate.Output(RunsTable.FileName), TrainStep.RunInputs(Flow),
            aggregate.Output(RunSummary.FileName), aggregate.Output(PerClassTable.FileName));
    }
}
