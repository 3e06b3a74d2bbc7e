using Lmev.Pipeline;

namespace Lmev.Flow;

/// <summary>
/// `lmev verify`: re-hash cache entries against their manifests, like `git fsck`, and the published folders (saved_models/,
/// report/) against the entries they came from; with repair, remove the damaged entries (the next run recomputes exactly those
/// and what depends on them) and publish damaged folders again from their entries where those are intact.
/// </summary>
public static class CacheCheck
{
    /// <summary>What was found: entries and folders checked, the damaged ones, and how many damaged folders repair had to leave.</summary>
    public sealed record Outcome(int Entries, IReadOnlyList<DamagedEntry> Damaged, int Folders, int DamagedFolders, int Left, bool Repaired)
    {
        /// <summary>Damage left in place: what makes verify exit 5.</summary>
        public int Unrepaired => Repaired ? Left : Damaged.Count + DamagedFolders;

        public string Summary => $"{Entries} entries checked, {Damaged.Count} damaged{(Damaged.Count > 0 && Repaired ? ", removed" : "")}; " +
            $"{Folders} published folder{(Folders == 1 ? "" : "s")} checked, {DamagedFolders} damaged" +
            (Repaired && DamagedFolders > 0 ? $", {DamagedFolders - Left} published again, {Left} left" : "");
    }

    /// <summary>
    /// Checks the entries <paramref name="flow"/> reaches and its experiment's published folders (with no flow: every entry and
    /// every folder), and the entries those folders came from; says each damage on <paramref name="say"/>.
    /// </summary>
    public static Outcome Run(string root, StageCache cache, ExperimentFlow? flow, bool repair, Action<string> say)
    {
        var entries = flow is null
            ? cache.Entries().ToList()
            : flow.Reachable().Distinct().Select(r => (r.Stage, r.Key, Directory: cache.EntryDirectory(r.Stage, r.Key))).Where(e => Directory.Exists(e.Directory)).ToList();
        var folders = PublishedPlaces.All(root, flow?.Experiment.Name).ToList();
        // The entries the folders came from are checked too (an older one the experiment no longer reaches, too).
        var known = entries.Select(e => (e.Stage, e.Key)).ToHashSet();
        foreach (var source in folders.SelectMany(f => (IEnumerable<PublishedFolder.Source>?)PublishedFolder.ReadRecord(f.Folder)?.Files.Values ?? []))
            if (known.Add((source.Stage, source.Key)) && Directory.Exists(cache.EntryDirectory(source.Stage, source.Key)))
                entries.Add((source.Stage, source.Key, cache.EntryDirectory(source.Stage, source.Key)));
        var damaged = entries.Select(e => CacheVerification.Verify(e.Stage, e.Key, e.Directory)).OfType<DamagedEntry>().ToList();
        var broken = damaged.Select(d => (d.Stage, d.Key)).ToHashSet();
        bool Intact(string stage, string key) => !broken.Contains((stage, key));
        var damagedFolders = folders.Select(f => (f.Republish, Damage: PublishedFolder.Verify(f.Folder, cache, Intact))).Where(f => f.Damage is not null).ToList();
        foreach (var d in damaged)
        {
            say($"damaged {d.Stage}/{d.Key} ({d.Directory}):");
            foreach (var problem in d.Problems) say($"  {problem}");
            if (!repair) continue;
            CacheVerification.Remove(cache, d);
            say("  removed: the next run recomputes it");
        }
        var left = 0;
        foreach (var (republish, d) in damagedFolders)
        {
            var from = d!.Record is { } r ? $" (published from {string.Join(", ", r.Files.Values.Select(s => $"{s.Stage}/{s.Key}").Distinct())})" : "";
            say($"damaged published folder {d.Folder}{from}:");
            foreach (var problem in d.Problems) say($"  {problem}");
            if (!repair) continue;
            if (PublishedFolder.Repair(d, cache, Intact) is { } why)
            {
                left++;
                say($"  left as is: {why}; run `{republish}` to rebuild it and publish it again");
            }
            else say("  published again from its entries");
        }
        return new Outcome(entries.Count, damaged, folders.Count, damagedFolders.Count, left, repair);
    }
}
