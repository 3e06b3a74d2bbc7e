using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Lmev.Pipeline.Transfer;

/// <summary>Where staged entries come from, in the words their errors use.</summary>
/// <param name="Container">What holds the entry's files: "the archive", "the remote".</param>
/// <param name="Whole">What was altered when a file's hash is wrong: "the export", "the remote entry".</param>
/// <param name="AbsentList">The file that names the outputs left behind on purpose.</param>
/// <param name="Remedy">What to do about a damaged or incomplete entry.</param>
internal sealed record Provenance(string Container, string Whole, string AbsentList, string Remedy);

/// <summary>
/// One cache entry assembled in the cache's <c>.tmp/</c> (the entries' filesystem) from a source lmev does not trust: an export
/// (<see cref="CacheImport"/>) or a remote (<see cref="Remote.RemoteTier"/>). It holds the files written so far with their SHA-256
/// as written, and the outputs the source says it left behind on purpose. <see cref="Verify"/> checks it whole against its
/// manifest (seal, folder, the key its parameters and inputs hash to, every file's hash and size, output names that stay in
/// their folder); <see cref="PublishTo"/> renames it into place, read-only, as a stage's entry is published.
/// </summary>
internal sealed partial class StagedEntry(StageCache cache, string stage, string key, string source) : IDisposable
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    public static partial Regex StageName();

    [GeneratedRegex("^[0-9a-f]{16}$")]
    public static partial Regex KeyName();

    public string Stage { get; } = stage;

    public string Key { get; } = key;

    /// <summary>The archive or the remote the entry comes from, for messages.</summary>
    public string Source { get; } = source;

    public OwnedFolder Folder { get; } = OwnedFolder.Create(Path.Combine(cache.Root, StageCache.TempFolder), $"import-{stage}-{key}-{Guid.NewGuid():N}");

    /// <summary>The files written, by name, with their hash and size as written.</summary>
    public Dictionary<string, FileRecord> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Outputs the source says were left behind on purpose.</summary>
    public HashSet<string> DeclaredAbsent { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// An output's name as a manifest may give it: one plain file name, as a stage writes it (no folder, no '..', not hidden,
    /// nothing a path could resolve outside the entry).
    /// </summary>
    public static bool IsPlainFileName(string name) =>
        name.Length is > 0 and <= 255 && name is not ("." or "..") && !name.StartsWith('.') && name.IndexOfAny(['/', '\\', ':', '\0']) < 0;

    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/>, hashing it on the way.</summary>
    public static FileRecord Write(Stream? data, string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        using (var file = File.Create(path))
        {
            if (data is not null)
            {
                var buffer = new byte[1 << 20];
                int n;
                while ((n = data.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    file.Write(buffer, 0, n);
                    size += n;
                }
            }
        }
        return new FileRecord(Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    /// <summary>
    /// Checks the staged entry against its manifest and records the outputs it lacks (<see cref="PartialEntry"/>); returns the
    /// manifest. Every output it lacks must be declared absent by its source, or the entry is refused as incomplete.
    /// </summary>
    public Manifest Verify(string where, Provenance from)
    {
        if (!Files.ContainsKey(Manifest.FileName)) throw new LmevException($"{where} has no {Manifest.FileName}; refusing it");
        Manifest m;
        try { m = Manifest.Read(Folder.Path); }
        catch (LmevException e) { throw new LmevException($"{where}: {Manifest.FileName} is not a valid manifest ({e.Message}); refusing it", e); }
        if (m.Stage != Stage || m.Key != Key)
            throw new LmevException($"{where}: its {Manifest.FileName} is for {m.Stage} {m.Key}; refusing it");
        var recomputed = StageCache.Key(m);
        if (recomputed != Key)
            throw new LmevException($"{where}: its {Manifest.FileName}'s parameters and inputs hash to key {recomputed}, not {Key}; the manifest was altered. Refusing it.");
        if (m.Outputs.Keys.FirstOrDefault(f => !IsPlainFileName(f)) is { } escaping)
            throw new LmevException($"{where}: its {Manifest.FileName} lists an output named '{escaping}', which is not a plain file name (a stage writes " +
                $"files into its own folder; this one would land elsewhere); {from.Whole} was altered. Refusing it. {from.Remedy}");
        foreach (var (file, record) in Files)
        {
            if (file == Manifest.FileName) continue;
            if (!m.Outputs.TryGetValue(file, out var expected))
                throw new LmevException($"{where}: file '{file}' is not an output its {Manifest.FileName} lists ({string.Join(", ", m.Outputs.Keys)}); refusing it");
            if (expected.Sha256 != record.Sha256 || expected.Size != record.Size)
                throw new LmevException($"{where}: file '{file}' has sha256 {record.Sha256} ({record.Size:N0} bytes), but its {Manifest.FileName} " +
                    $"records {expected.Sha256} ({expected.Size:N0} bytes); {from.Whole} was altered or damaged. {from.Remedy}");
        }
        // What one source left behind, another may bring: absent is what none of them holds.
        var absent = m.Outputs.Keys.Where(f => !Files.ContainsKey(f)).ToList();
        var lost = absent.Where(f => !DeclaredAbsent.Contains(f)).ToList();
        if (lost.Count > 0)
            throw new LmevException($"{where}: output(s) {string.Join(", ", lost.Select(f => $"'{f}'"))} are neither in {from.Container} nor listed " +
                $"as left behind in {from.AbsentList}; {from.Container} is incomplete. {from.Remedy}");
        PartialEntry.Write(Folder.Path, absent);
        return m;
    }

    /// <summary>Renames the staged folder into place, read-only; false when the entry is already there (left as is).</summary>
    public bool PublishTo(StageCache into)
    {
        var target = into.EntryDirectory(Stage, Key);
        if (Directory.Exists(target)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        ReadOnlyFiles.Seal(Folder.Path); // as a stage's entry: read-only once published
        try
        {
            Directory.Move(Folder.Path, target); // rename(2): atomic, on the same filesystem
            return true;
        }
        catch (IOException) when (Directory.Exists(target)) { return false; } // another process published it first
    }

    public void Dispose() => Folder.Dispose();
}
