using System.Text.Json;

namespace Lmev.Pipeline;

/// <summary>A published folder whose files differ from the entries they were published from.</summary>
/// <param name="Record">What the folder says it holds; null when its record is missing or unreadable.</param>
/// <param name="Problems">Each finding: "metrics.json: missing (must match train/KEY/metrics.json)", an extra file, other bytes.</param>
public sealed record DamagedFolder(string Folder, PublishedFolder.Record? Record, IReadOnlyList<string> Problems);

/// <summary>
/// A folder people open (saved_models/…, report/) filled from cache entries. Each file is a hard link of its cache
/// file where the folder is on the cache's filesystem (no second copy on disk; the link shares the entry's read-only
/// mode), and a copy where linking fails (another filesystem, a filesystem without links). A copy is made read-only
/// as well: the folder then looks and behaves the same wherever the cache lives, and an edited copy is damage that
/// `lmev verify` reports anyway, so letting it be edited buys nothing.
/// The folder is assembled beside its target with a record, <see cref="RecordName"/>, of the entry (stage, key) and
/// SHA-256 of each file, then swapped in with renames, so it is never half old and half new. The record is how
/// `lmev verify` knows what a folder must hold: it names the entries exactly even after the experiment's parameters
/// change or its file goes, says which experiment report/ (shared by all) belongs to, and still checks a folder
/// whose entry gc removed (against the hashes it was published with).
/// </summary>
public static class PublishedFolder
{
    public const string RecordName = ".lmev-published.json";

    public sealed record Source(string Stage, string Key, string Sha256, long Size);

    public sealed record Record(int Format, string Experiment, SortedDictionary<string, Source> Files);

    /// <summary>How a folder was filled: files linked, files copied, and why the first copy could not be a link.</summary>
    public sealed record Outcome(int Linked, int Copied, string? WhyCopied)
    {
        public static readonly Outcome None = new(0, 0, null);

        public Outcome Add(Outcome o) => new(Linked + o.Linked, Copied + o.Copied, WhyCopied ?? o.WhyCopied);

        public override string ToString() =>
            $"{Linked} file{(Linked == 1 ? "" : "s")} linked, {Copied} copied{(WhyCopied is null ? "" : $" (no link: {WhyCopied})")}";
    }

    /// <summary>Fills <paramref name="target"/> with <paramref name="files"/> (links, else copies) and its record, swapped in whole.
    /// The folders beside it are owned (<see cref="OwnedFolder"/>): those a killed process left are removed by the next publish.
    /// <paramref name="step"/> names the step for the fault suite's <c>linking</c> kill point.</summary>
    public static Outcome Publish(IEnumerable<Artifact> files, string target, string experiment, string step)
    {
        target = Path.GetFullPath(target);
        var parent = Path.GetDirectoryName(target)!;
        var name = Path.GetFileName(target);
        Directory.CreateDirectory(parent);
        OwnedFolder.RemoveAbandoned(parent, $"{name}.tmp-");
        OwnedFolder.RemoveAbandoned(parent, $"{name}.old-");
        // Deleting read-only files needs only the folder's write permission: disposing removes them however this ends.
        using var fresh = OwnedFolder.Create(parent, $"{name}.tmp-{Guid.NewGuid():N}");
        using var old = OwnedFolder.Create(parent, $"{name}.old-{Guid.NewGuid():N}", create: false);
        var (linked, copied, why) = (0, 0, (string?)null);
        var record = new SortedDictionary<string, Source>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            var to = Path.Combine(fresh.Path, f.File);
            if (HardLink.TryCreate(f.Path, to, out var whyNot))
            {
                linked++;
                // An entry published before entries were sealed is still writable: the link would share that.
                try { ReadOnlyFiles.Apply(to); }
                catch (UnauthorizedAccessException) { } // not ours to change; the entry's mode stays as it was
            }
            else
            {
                File.Copy(f.Path, to);
                ReadOnlyFiles.Apply(to);
                copied++;
                why ??= whyNot;
            }
            record[f.File] = new Source(f.Stage, f.Key, f.Sha256, f.Size);
            FaultPoint.Reached("linking", step);
        }
        var recordPath = Path.Combine(fresh.Path, RecordName);
        File.WriteAllText(recordPath, JsonSerializer.Serialize(new Record(1, experiment, record), CanonicalJson.Indented) + "\n");
        ReadOnlyFiles.Apply(recordPath);
        if (Directory.Exists(target)) Directory.Move(target, old.Path);
        Directory.Move(fresh.Path, target);
        return new Outcome(linked, copied, why);
    }

    /// <summary>An entry's manifest, or null when it is gone or damaged (verify lists the entry itself).</summary>
    private static Manifest? ReadableManifest(string entryDir)
    {
        if (!File.Exists(Path.Combine(entryDir, Manifest.FileName))) return null;
        try { return Manifest.Read(entryDir); }
        catch (LmevException) { return null; }
    }

    /// <summary>The folder's record, or null when it has none or it cannot be read.</summary>
    public static Record? ReadRecord(string folder)
    {
        var path = Path.Combine(folder, RecordName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<Record>(File.ReadAllText(path), CanonicalJson.Options) is { Files: not null } r ? r : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>True for a folder an interrupted <see cref="Publish"/> left beside its target (not a published folder).</summary>
    public static bool IsLeftover(string folder)
    {
        var name = Path.GetFileName(folder);
        return name.Contains(".tmp-", StringComparison.Ordinal) || name.Contains(".old-", StringComparison.Ordinal);
    }

    /// <summary>
    /// Checks <paramref name="folder"/> against the entries its record names: every recorded file present with the bytes
    /// its entry's manifest records (or, where gc removed the entry, the bytes it was published with), and nothing else.
    /// A file that is the same inode as its entry's file is not hashed again when <paramref name="entryIntact"/> says that
    /// entry was verified whole.
    /// </summary>
    public static DamagedFolder? Verify(string folder, StageCache cache, Func<string, string, bool> entryIntact)
    {
        var record = ReadRecord(folder);
        if (record is null)
            return new DamagedFolder(folder, null, [$"{RecordName}: missing or unreadable, so which entries it was published from is unknown"]);
        var problems = new List<string>();
        var manifests = new Dictionary<(string, string), Manifest?>();
        foreach (var (file, source) in record.Files)
        {
            var entryDir = cache.EntryDirectory(source.Stage, source.Key);
            var entryFile = Path.Combine(entryDir, file);
            var origin = $"{source.Stage}/{source.Key}/{file}";
            if (!manifests.TryGetValue((source.Stage, source.Key), out var manifest))
                manifests[(source.Stage, source.Key)] = manifest = ReadableManifest(entryDir);
            var expected = manifest is not null && manifest.Outputs.TryGetValue(file, out var rec) ? rec.Sha256 : source.Sha256;
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) { problems.Add($"{file}: missing (must match {origin})"); continue; }
            if (manifest is not null && entryIntact(source.Stage, source.Key) && HardLink.SameFile(path, entryFile) == true) continue;
            var sha = Hashing.Sha256OfFile(path);
            if (sha != expected)
                problems.Add($"{file}: sha256 {sha[..12]}…, but {origin} " +
                    (manifest is null ? $"was published with {expected[..12]}… (that entry is no longer in the cache)" : $"records {expected[..12]}…"));
        }
        foreach (var path in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name == RecordName || record.Files.ContainsKey(name)) continue;
            problems.Add($"{name}: extra, published from no entry");
        }
        return problems.Count == 0 ? null : new DamagedFolder(folder, record, problems);
    }

    /// <summary>
    /// Publishes a damaged folder again from the entries its record names; returns null when done, else why it cannot
    /// be (no record, an entry gone or damaged) for the caller to say with the command that rebuilds it.
    /// </summary>
    public static string? Repair(DamagedFolder damaged, StageCache cache, Func<string, string, bool> entryIntact)
    {
        if (damaged.Record is not { } record) return $"without its {RecordName} the entries it came from are unknown";
        var files = new List<Artifact>();
        foreach (var (file, source) in record.Files)
        {
            var dir = cache.EntryDirectory(source.Stage, source.Key);
            if (!entryIntact(source.Stage, source.Key)) return $"its entry {source.Stage}/{source.Key} is damaged too";
            if (!File.Exists(Path.Combine(dir, Manifest.FileName))) return $"its entry {source.Stage}/{source.Key} is not in the cache";
            var manifest = Manifest.Read(dir);
            if (!manifest.PresentOutputs.Contains(file)) return $"its entry {source.Stage}/{source.Key} has no file {file}";
            files.Add(manifest.Output(file));
        }
        Publish(files, damaged.Folder, record.Experiment, "verify");
        return null;
    }
}
