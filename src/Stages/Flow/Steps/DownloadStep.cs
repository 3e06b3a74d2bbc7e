using Lmev.Pipeline;
using Lmev.Stages.Download;

namespace Lmev.Flow.Steps;

/// <summary>
/// Download: the dataset pinned in data.lock.json (and split.testSource's rows), or the demo's generated titles. Its hooks keep
/// the lock and the cache in agreement: a source file edited on disk, or a lock that now pins other bytes, refetches; the first
/// download of an entry with no hash fills it (trust on first use), and every read of the entry checks it against the lock.
/// </summary>
internal sealed class DownloadStep(ExperimentFlow flow) : StepWiring(flow, "download")
{
    public override IStage Build(Unit unit) => Flow.Lock.PinnedSource(unit.TestSource) is { } pinned
        ? DownloadStage.FromLock(pinned.Name, pinned.Source, Flow.Fetcher(), Path.Combine(Flow.Cache.Root, StageCache.DownloadsFolder), unit.Name)
        : DownloadStage.Generate(Experiment.Dataset.Generate!);

    public override string? BeforeRun(Unit unit, Manifest cached) =>
        Flow.Lock.LocalSourceEdited(unit.TestSource, cached, Flow.Fetcher(), Flow.Cache.Hashes) ?? Flow.Lock.DownloadMismatch(cached);

    public override void AfterRun(Unit unit, Manifest entry) => Flow.Lock.CheckDownload(entry);

    public override void OnRead(Manifest entry) => Flow.Lock.CheckDownload(entry);
}
