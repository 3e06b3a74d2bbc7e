using Lmev.Pipeline;

namespace Lmev.Flow;

/// <summary>
/// `lmev status`: each unit of each step as up to date (local), remote only (in the project's remote, not here: a run or `lmev cache pull`
/// fetches it), stale (and why) or never run (to compute), or in error, like `dvc status`.
/// </summary>
public static class FlowStatus
{
    public sealed record StepStatus(string Step, string Unit, string State, string? Key, IReadOnlyList<string> Reasons);

    public const string UpToDate = "up to date", RemoteOnly = "remote only";

    public static IReadOnlyList<StepStatus> Of(ExperimentFlow flow)
    {
        var result = new List<StepStatus>();
        foreach (var step in flow.Steps)
        foreach (var u in flow.Units(step))
            result.Add(Unit(flow, step, u));
        return result;
    }

    private static StepStatus Unit(ExperimentFlow flow, StepWiring step, Unit u)
    {
        var unit = u.Name;
        var previous = flow.Cache.ReadRef(flow.Experiment.Name, step.Name, unit);
        IStage stage;
        try { stage = step.Build(u); }
        catch (NotReady n)
        {
            var what = n.Unit.Name == "" ? n.Step : $"{n.Step} [{n.Unit.Name}]";
            return new(step.Name, unit, previous is null ? "never run" : "stale", null, [$"upstream '{what}' is not up to date"]);
        }
        catch (LmevException e) { return new(step.Name, unit, "error", null, [e.Message]); }
        var key = StageCache.Key(stage);
        Manifest? entry;
        try { entry = flow.Cache.Lookup(stage); }
        catch (LmevException e) { return new(step.Name, unit, "error", key, [e.Message]); } // a damaged manifest
        if (entry is not null)
        {
            // What a run would check first (an edited source file, a lock that now pins other bytes).
            string? reason;
            try { reason = step.BeforeRun(u, entry); }
            catch (LmevException e) { return new(step.Name, unit, "error", key, [e.Message]); }
            if (reason is not null) return new(step.Name, unit, "stale", key, [reason]);
            if (CacheVerification.QuickCheck(entry) is { } damage)
                return new(step.Name, unit, "error", key, [$"damaged: {damage}; run `lmev verify --repair` (it removes damaged entries) and run again"]);
            flow.Resolved(step.Name, u, entry);
            return new(step.Name, unit, UpToDate, key, []);
        }
        var refused = new List<string>();
        if (flow.Options.Remote is { } remote)
        {
            // Its manifest alone is read (and checked): status writes nothing.
            try
            {
                if (remote.Tier.Peek(step.Name, key) is { } there)
                {
                    flow.Resolved(step.Name, u, there);
                    return new(step.Name, unit, RemoteOnly, key, []);
                }
            }
            catch (Lmev.Pipeline.Remote.RemoteTier.RefusedEntry e) { refused.Add($"the remote's entry is refused (a run computes it): {e.Message}"); }
        }
        if (previous is null) return new(step.Name, unit, "never run", key, refused);
        var why = JsonDiff.Changes(previous.Params, CanonicalJson.ToNode(stage.Params), "params").ToList();
        foreach (var (input, artifact) in stage.Inputs)
            if (!previous.Inputs.TryGetValue(input, out var was) || was.Sha256 != artifact.Sha256)
                why.Add($"input '{input}' changed ({Short(was?.Sha256)} → {Short(artifact.Sha256)}, from {artifact.Stage} {artifact.Key})");
        if (why.Count == 0) why.Add(!Directory.Exists(flow.Cache.EntryDirectory(step.Name, previous.Key))
            ? $"its entry {previous.Key} was removed (gc?)" : "the stage's version changed");
        return new(step.Name, unit, "stale", key, [.. why, .. refused]);
    }

    private static string Short(string? hash) => hash is null ? "none" : hash[..Math.Min(12, hash.Length)];
}
