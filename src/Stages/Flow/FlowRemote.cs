using Lmev.Pipeline;
using Lmev.Pipeline.Remote;

namespace Lmev.Flow;

/// <summary>
/// What the flow does with the cache's remote tier (<see cref="RemoteTier"/>): look a unit missing locally up there before computing it,
/// push what a run made when the project asks (<c>push</c>), and `lmev cache pull` / `lmev cache push`.
/// </summary>
public static class FlowRemote
{
    /// <summary>
    /// The unit's entry from the remote: its manifest alone when the flow only looks, else pulled and published (printing
    /// <c>cached (remote)</c>); null when the flow has no remote, the remote lacks the entry, or refused it (said: it is computed locally).
    /// </summary>
    internal static Manifest? Find(ExperimentFlow flow, IStage stage) => Pull(flow, stage, out _);

    private static Manifest? Pull(ExperimentFlow flow, IStage stage, out RemoteTier.PullOutcome? outcome)
    {
        outcome = null;
        if (flow.Options.Remote is not { } remote) return null;
        var (key, label) = (StageCache.Key(stage), StageCache.Label(stage));
        try
        {
            if (flow.Options.ReadOnly) return remote.Tier.Peek(stage.Name, key);
            outcome = remote.Tier.Pull(flow.Cache, stage.Name, key);
            if (outcome is null) return null;
            flow.Options.Log($"{label}: cached (remote) ({key}): {outcome.Files} file{(outcome.Files == 1 ? "" : "s")}, {Size(outcome.Bytes)} from {remote.Tier.Url} " +
                $"in {outcome.Time.TotalSeconds:F1} s{(outcome.Entry.Absent.Count == 0 ? "" : $" (without {string.Join(", ", outcome.Entry.Absent.Order(StringComparer.Ordinal))})")}");
            return outcome.Entry;
        }
        catch (RemoteTier.RefusedEntry e)
        {
            if (!flow.Options.ReadOnly) flow.Options.Log($"{label}: the remote's entry {key} is refused, nothing of it was published: {e.Message}; computing it locally");
            return null;
        }
    }

    /// <summary>After a unit ran or was found: pushed when the project asks (<c>push: true</c>) and the remote lacks it.</summary>
    internal static void PushIfAsked(ExperimentFlow flow, IStage stage, Manifest entry)
    {
        if (flow.Options.ReadOnly || flow.Options.Remote is not { Push: true } remote) return;
        var pushed = remote.Tier.Push(entry, remote.Omit);
        if (!pushed.AlreadyThere)
            flow.Options.Log($"{StageCache.Label(stage)}: pushed to {remote.Tier.Url} ({pushed.Files} objects, {Size(pushed.Bytes)}" +
                $"{(entry.Outputs.Keys.Any(remote.Omit.Contains) ? $", without {string.Join(", ", entry.Outputs.Keys.Where(remote.Omit.Contains))}" : "")})");
    }

    /// <summary>What `lmev cache pull` did.</summary>
    public sealed record PullSummary(int Pulled, int Local, int Files, long Bytes, IReadOnlyList<string> NotInRemote);

    /// <summary>
    /// `lmev cache pull`: every unit of <paramref name="steps"/> (the models and runs chosen) that is not local, from the remote, verified,
    /// with the upstream entries their keys need; runs nothing. A unit the remote lacks is named (a run computes it).
    /// </summary>
    public static PullSummary PullUnits(ExperimentFlow flow, IEnumerable<string> steps)
    {
        if (flow.Options.Remote is not { } remote) throw new LmevException("no remote: give --remote URL, set $LMEV_REMOTE, or a remote.url in lmev.json (README, \"The remote cache\")");
        var before = remote.Tier.Pulled; // the upstream entries a unit's key needs are pulled by the lookups Build makes: counted too
        var local = 0;
        var missing = new List<string>();
        var chosen = steps.ToHashSet(StringComparer.Ordinal);
        foreach (var wiring in flow.Steps.Where(s => chosen.Count == 0 || chosen.Contains(s.Name)))
        foreach (var unit in flow.Units(wiring))
        {
            IStage stage;
            try { stage = wiring.Build(unit); }
            catch (NotReady n)
            {
                missing.Add($"{wiring.Name}{(unit.Name == "" ? "" : $" [{unit.Name}]")} (its upstream {n.What} is in neither cache)");
                continue;
            }
            if (flow.Cache.Lookup(stage) is not null) { local++; continue; }
            if (Pull(flow, stage, out var outcome) is null || outcome is null) { missing.Add(StageCache.Label(stage)); continue; }
            flow.Resolved(wiring.Name, unit, outcome.Entry);
        }
        var after = remote.Tier.Pulled;
        return new PullSummary(after.Entries - before.Entries, local, after.Files - before.Files, after.Bytes - before.Bytes, missing);
    }

    /// <summary>What `lmev cache push` did: entries sent, entries the remote had, objects and bytes sent, units not in the local cache.</summary>
    public sealed record PushSummary(int Pushed, int AlreadyThere, int Files, long Bytes, IReadOnlyList<string> NotLocal);

    /// <summary>
    /// `lmev cache push`: the selected entries (as `cache export` selects them: whole, without <c>--omit</c>'s outputs, or as manifests
    /// alone), each files first and manifest last; an entry the remote holds is left as is.
    /// </summary>
    public static PushSummary PushEntries(ExperimentFlow flow, RemoteTier tier, IReadOnlyList<Lmev.Pipeline.Transfer.ExportSelection> selections,
        IReadOnlyList<string> notLocal)
    {
        var (pushed, there, files, bytes) = (0, 0, 0, 0L);
        foreach (var s in selections.DistinctBy(s => (s.Entry.Stage, s.Entry.Key)))
        {
            var label = $"{s.Entry.Stage}{(s.Entry.Unit == "" ? "" : $" [{s.Entry.Unit}]")}";
            var outcome = tier.Push(s.Entry, s.Omit);
            if (outcome.AlreadyThere)
            {
                there++;
                flow.Options.Log($"{label}: already in the remote ({s.Entry.Key}); left as is{(outcome.Note is null ? "" : $": {outcome.Note}")}");
                continue;
            }
            var left = s.Entry.Outputs.Keys.Where(f => s.Omit.Contains(f) || s.Entry.Absent.Contains(f)).ToList();
            flow.Options.Log($"{label}: pushed ({s.Entry.Key}): {outcome.Files} objects, {Size(outcome.Bytes)}" +
                (left.Count == 0 ? "" : left.Count == s.Entry.Outputs.Count ? ", its manifest alone" : $", without {string.Join(", ", left)}"));
            (pushed, files, bytes) = (pushed + 1, files + outcome.Files, bytes + outcome.Bytes);
        }
        return new PushSummary(pushed, there, files, bytes, notLocal);
    }

    public static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1048576.0:F1} MiB" : bytes >= 1 << 10 ? $"{bytes / 1024.0:F1} KiB" : $"{bytes} B";
}
