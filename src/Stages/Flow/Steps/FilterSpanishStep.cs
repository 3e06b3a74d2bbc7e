using Lmev.Pipeline;
using Lmev.Stages.FilterSpanish;

namespace Lmev.Flow.Steps;

/// <summary>FilterSpanish: the downloaded rows of the experiment's language (`filter`), bad rows skipped and counted, named at the user's file.</summary>
internal sealed class FilterSpanishStep(ExperimentFlow flow) : StepWiring(flow, "filter-spanish")
{
    public override IStage Build(Unit unit)
    {
        var download = Flow.Get("download", unit);
        return new FilterSpanishStage(Experiment.Filter, download.Output(FlowLock.DownloadedFile(download)), Flow.Options.Strict, unit.Name,
            Flow.Lock.SourceShown(unit.TestSource));
    }
}
