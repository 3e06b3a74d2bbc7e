using Lmev.Pipeline;
using Lmev.Stages.Model;
using Lmev.Contracts;

namespace Lmev.Flow.Steps;

/// <summary>
/// Model: a model's files, from its entry in `models` (a seeded random table, MiniLM from its package) or from the sources it
/// pins in data.lock.json (a transformer's model and vocabulary, an NNLM archive), whose empty hashes it fills after a run.
/// </summary>
internal sealed class ModelStep(ExperimentFlow flow) : StepWiring(flow, "model")
{
    public override IStage Build(Unit unit)
    {
        var spec = unit.Model!;
        if (spec.Kind is not (ModelSpec.Transformer or ModelSpec.Nnlm)) return new ModelStage(spec);
        var lockFile = DataLock.Read(Flow.LockPath);
        return new ModelStage(spec, new ModelStage.PinnedFiles(Flow.Fetcher(), Path.Combine(Flow.Cache.Root, StageCache.DownloadsFolder),
            lockFile.Get(spec.Source!, Flow.LockPath), spec.Kind == ModelSpec.Transformer ? lockFile.Get(spec.Vocabulary!, Flow.LockPath) : null));
    }

    public override string? BeforeRun(Unit unit, Manifest cached) => Flow.Lock.ModelMismatch(unit.Model!, cached);

    public override void AfterRun(Unit unit, Manifest entry) => Flow.Lock.FillModel(unit.Model!, entry);
}
