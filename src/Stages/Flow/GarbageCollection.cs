using Lmev.Pipeline;

namespace Lmev.Flow;

/// <summary>
/// `lmev gc`: keeps what each experiment reaches with its current parameters and removes the other entries, the refs of
/// experiments whose file is gone, and the lock files of finished downloads (a partial download stays, to resume). An
/// experiment file that cannot be read is named (every one, not only the first) and the entries it last used (its refs) are
/// kept, since what it reaches is unknown.
/// </summary>
public static class GarbageCollection
{
    /// <summary>What gc did or, with a dry run, would do; <see cref="Broken"/> holds an error per unreadable experiment.</summary>
    public sealed record Outcome(IReadOnlyList<string> Lines, IReadOnlyList<string> Broken);

    /// <param name="root">The project folder.</param>
    /// <param name="cache">The cache to collect.</param>
    /// <param name="keep">Experiments whose entries to keep; empty: every experiment in experiments/.</param>
    /// <param name="dryRun">Only say what would be removed.</param>
    /// <param name="flowOf">The flow of a named experiment (read-only), or an <see cref="LmevException"/> when it cannot be read.</param>
    public static Outcome Run(string root, StageCache cache, IReadOnlyList<string> keep, bool dryRun, Func<string, ExperimentFlow> flowOf)
    {
        var folder = Path.Combine(root, "experiments");
        var existing = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray()
            : [];
        var names = keep.Count > 0 ? keep.ToArray() : existing;
        var reachable = new HashSet<(string, string)>();
        var broken = new List<string>();
        foreach (var name in names)
        {
            try { reachable.UnionWith(flowOf(name).Reachable()); }
            catch (LmevException e)
            {
                // What a broken experiment reaches is unknown: keep the entries it last used.
                var refs = Experiment.IsValidName(name) ? cache.Refs(name).Select(r => (r.Stage, r.Key)).ToList() : [];
                reachable.UnionWith(refs);
                broken.Add($"{e.Message} (kept the {refs.Count} entries experiment '{name}' last used)");
            }
        }
        var outcome = cache.Gc(reachable, dryRun);
        var verb = dryRun ? "would remove" : "removed";
        var lines = outcome.Removed.Select(r => $"{verb} {r.Stage}/{r.Key} ({r.Bytes / 1048576.0:F1} MiB)").ToList();
        var debris = cache.Debris(existing.Concat(names).ToHashSet(StringComparer.Ordinal), dryRun);
        lines.AddRange(debris.Select(d => $"{verb} {Path.GetRelativePath(cache.Root, d.Path)} ({d.What})"));
        var bytesFreed = outcome.Removed.Sum(r => r.Bytes) + debris.Sum(d => d.Bytes);
        lines.Add($"{outcome.Removed.Count} entries {(dryRun ? "would be " : "")}removed ({bytesFreed / 1048576.0:F1} MiB with {debris.Count} other leftover{(debris.Count == 1 ? "" : "s")}); " +
            $"kept {outcome.Kept} entries reachable from {(names.Length == 0 ? "no experiment" : string.Join(", ", names))}");
        return new Outcome(lines, broken);
    }
}
