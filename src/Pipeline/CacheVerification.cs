namespace Lmev.Pipeline;

/// <summary>One cache entry whose files no longer hash to what its manifest recorded (like `git fsck`'s findings).</summary>
/// <param name="Problems">Each damaged file: "train.csv: sha256 … expected …", "model.onnx: missing".</param>
public sealed record DamagedEntry(string Stage, string Key, string Directory, IReadOnlyList<string> Problems);

/// <summary>
/// Re-hashes cache entries against their manifests. <see cref="QuickCheck"/> is what `status` can afford on every call
/// (sizes, and modification times against the moment the entry was published); <see cref="Verify"/> hashes every byte.
/// </summary>
public static class CacheVerification
{
    /// <summary>
    /// The entry in <paramref name="directory"/> (<paramref name="stage"/>/<paramref name="key"/>) checked whole: its manifest is there,
    /// reads, matches its seal and its folder (stage, key, and the key its parameters and inputs hash to), and every output matches it.
    /// </summary>
    public static DamagedEntry? Verify(string stage, string key, string directory)
    {
        DamagedEntry Damaged(string problem) => new(stage, key, directory, [$"{Manifest.FileName}: {problem}"]);
        if (!File.Exists(System.IO.Path.Combine(directory, Manifest.FileName))) return Damaged("missing");
        Manifest m;
        try { m = Manifest.Read(directory); }
        catch (LmevException e) { return Damaged(e.Message); }
        if (m.Stage != stage || m.Key != key) return Damaged($"it is the manifest of {m.Stage}/{m.Key}, not of the folder it is in");
        if (StageCache.Key(m) is var recomputed && recomputed != key)
            return Damaged($"its parameters and inputs hash to key {recomputed}, not {key}: the manifest was changed");
        return Verify(m);
    }

    /// <summary>Every output of <paramref name="entry"/> whose bytes differ from its manifest (files left out on purpose by a partial import aside).</summary>
    public static DamagedEntry? Verify(Manifest entry)
    {
        var problems = new List<string>();
        foreach (var file in entry.PresentOutputs)
        {
            var path = System.IO.Path.Combine(entry.Directory, file);
            var expected = entry.Outputs[file];
            if (!File.Exists(path)) { problems.Add($"{file}: missing"); continue; }
            var sha = Hashing.Sha256OfFile(path);
            var size = new FileInfo(path).Length;
            if (size != expected.Size) problems.Add($"{file}: {size:N0} bytes, the manifest records {expected.Size:N0}");
            else if (sha != expected.Sha256) problems.Add($"{file}: sha256 {sha[..12]}…, the manifest records {expected.Sha256[..12]}…");
        }
        return problems.Count == 0 ? null : new DamagedEntry(entry.Stage, entry.Key, entry.Directory, problems);
    }

    /// <summary>
    /// A cheap look: an output missing, of another size, or written after its entry was assembled (a file changed in
    /// place keeps its folder's modification time, which the entry's last file, its manifest, set).
    /// </summary>
    public static string? QuickCheck(Manifest entry)
    {
        var assembled = System.IO.Directory.GetLastWriteTimeUtc(entry.Directory).AddSeconds(1);
        foreach (var file in entry.PresentOutputs)
        {
            var info = new FileInfo(System.IO.Path.Combine(entry.Directory, file));
            if (!info.Exists) return $"{file} is missing";
            if (info.Length != entry.Outputs[file].Size) return $"{file} has {info.Length:N0} bytes, the manifest records {entry.Outputs[file].Size:N0}";
            if (info.LastWriteTimeUtc > assembled) return $"{file} was changed after the entry was published";
        }
        return null;
    }

    /// <summary>Moves a damaged entry out of the cache (a rename first, so no reader sees it half gone); the next run recomputes it.</summary>
    public static void Remove(StageCache cache, DamagedEntry damaged) => cache.Remove(damaged.Stage, damaged.Key);
}
