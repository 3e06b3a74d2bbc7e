using Lmev.Pipeline;
using Lmev.Stages.FilterSpanish;
using Lmev.Stages.Sample;

namespace Lmev.Flow.Steps;

/// <summary>Sample: one sample the runs share, or with runs.resample run k's own, seeded from the run number (recorded in its params).</summary>
internal sealed class SampleStep(ExperimentFlow flow) : StepWiring(flow, "sample")
{
    public override IStage Build(Unit unit)
    {
        var p = unit.Run is { } k ? Experiment.Sample with { Seed = RunSeeds.For(Experiment.Sample.Seed, $"sample/run-{k}") } : Experiment.Sample;
        return new SampleStage(p, Flow.Get("filter-spanish").Output(FilterSpanishStage.Output), unit.Name);
    }
}
