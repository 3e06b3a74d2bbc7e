using Lmev.Pipeline;
using Lmev.Stages.FilterSpanish;
using Lmev.Stages.Sample;
using Lmev.Stages.Split;

namespace Lmev.Flow.Steps;

/// <summary>Split: the sample's train/val/test (the test rows from split.testSource's filtered rows when it names one), seeded per run with runs.resample.</summary>
internal sealed class SplitStep(ExperimentFlow flow) : StepWiring(flow, "split")
{
    public override IStage Build(Unit unit)
    {
        var p = unit.Run is { } k ? Experiment.Split with { Seed = RunSeeds.For(Experiment.Split.Seed, $"split/run-{k}") } : Experiment.Split;
        var test = Experiment.Split.TestSource is null ? null : Flow.Get("filter-spanish", Unit.TestRows).Output(FilterSpanishStage.Output);
        return new SplitStage(p, Flow.Get("sample", unit).Output(SampleStage.Output), unit.Name, test);
    }
}
