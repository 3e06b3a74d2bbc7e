using System.Formats.Tar;
using System.Text.Json;

namespace Lmev.Pipeline.Transfer;

/// <summary>
/// Unpacks exports (<see cref="CacheExport"/>) into a cache without trusting them (<c>lmev cache import</c>).
/// Every member must be <c>lmev-export.json</c> or <c>&lt;stage&gt;/&lt;key&gt;/&lt;file&gt;</c>, a regular file:
/// absolute names, <c>..</c>, links and devices are refused. Each entry's manifest must recompute to the key
/// its folder is named after, each file must have the SHA-256 and size its manifest records, each output the
/// manifest lists must be in the archive or named absent by the index, and a member met twice (in one archive
/// or in several) must be the same bytes. Entries are staged in the cache's <c>.tmp/</c> (the same filesystem)
/// and published each with one rename; an entry already in the cache is left as is. Nothing is published
/// unless every entry of every archive checks. The checks and the publishing are <see cref="StagedEntry"/>'s, which the remote
/// tier shares.
/// </summary>
public sealed class CacheImport(StageCache cache, Action<string> log)
{
    private static readonly Provenance FromExport = new("the archive", "the export", ExportIndex.FileName, "Export it again.");

    public sealed record Outcome(int Published, int AlreadyPresent, int Files, long Bytes);

    public Outcome Import(IReadOnlyList<string> archives)
    {
        var staged = new Dictionary<(string Stage, string Key), StagedEntry>();
        var indexed = new HashSet<(string, string)>();
        try
        {
            var (files, bytes) = (0, 0L);
            foreach (var archive in archives)
            {
                var (f, b) = Unpack(Path.GetFullPath(archive), staged, indexed);
                files += f;
                bytes += b;
            }
            foreach (var ((stage, key), entry) in staged)
            {
                if (!indexed.Contains((stage, key)))
                    throw new LmevException($"{entry.Source}: entry {stage} {key} is not listed in {ExportIndex.FileName}; the archive was altered. Refusing it.");
                entry.Verify($"{entry.Source}: entry {stage} {key}", FromExport);
            }
            var manifests = staged.ToDictionary(s => s.Key, s => Manifest.Read(s.Value.Folder.Path));
            var (published, present) = (0, 0);
            foreach (var ((stage, key), entry) in staged.OrderBy(s => s.Key.Stage, StringComparer.Ordinal).ThenBy(s => s.Key.Key, StringComparer.Ordinal))
            {
                var target = cache.EntryDirectory(stage, key);
                var m = manifests[(stage, key)];
                var label = $"{stage} {key}{(m.Unit == "" ? "" : $" [{m.Unit}]")}";
                if (entry.PublishTo(cache))
                {
                    published++;
                    log($"{label}: imported{(m.Absent.Count == 0 ? "" : $" without {string.Join(", ", m.Absent.Order(StringComparer.Ordinal))}")}");
                }
                else
                {
                    present++;
                    log($"{label}: already in the cache; left as is");
                }
                cache.WriteRef(m.Experiment, Manifest.Read(target));
            }
            return new Outcome(published, present, files, bytes);
        }
        finally
        {
            foreach (var s in staged.Values) s.Dispose();
        }
    }

    /// <summary>Reads one archive's members into staging folders; returns the files and bytes written.</summary>
    private (int Files, long Bytes) Unpack(string archive, Dictionary<(string, string), StagedEntry> staged, HashSet<(string, string)> indexed)
    {
        if (!File.Exists(archive)) throw new LmevException($"{archive}: file not found; expected an export made by `lmev cache export`");
        var (files, bytes) = (0, 0L);
        ExportIndex? index = null;
        using var stream = File.OpenRead(archive);
        using var reader = new TarReader(stream);
        try
        {
            while (reader.GetNextEntry() is { } member)
            {
                var name = member.Name;
                if (member.EntryType == TarEntryType.Directory) { CheckName(archive, name.TrimEnd('/'), directory: true); continue; }
                if (member.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new LmevException($"{archive}: member '{name}' is a {Describe(member.EntryType)}" +
                        (member.LinkName is { Length: > 0 } to ? $" (to '{to}')" : "") + "; an export holds only regular files. Refusing the whole archive.");
                var parts = CheckName(archive, name, directory: false);
                if (parts.Length == 1)
                {
                    if (index is not null) throw new LmevException($"{archive}: member '{name}' appears twice");
                    index = ReadIndex(archive, member);
                    continue;
                }
                var id = (parts[0], parts[1]);
                if (!staged.TryGetValue(id, out var entry)) staged[id] = entry = new StagedEntry(cache, parts[0], parts[1], archive);
                var written = StagedEntry.Write(member.DataStream, Path.Combine(entry.Folder.Path, parts[2]) + ".part");
                var path = Path.Combine(entry.Folder.Path, parts[2]);
                if (entry.Files.TryGetValue(parts[2], out var earlier))
                {
                    try
                    {
                        if (earlier != written && !(parts[2] == Manifest.FileName && SameEntry(path, path + ".part")))
                            throw new LmevException($"{archive}: member '{name}' (entry {parts[0]} {parts[1]}) differs from the copy met before " +
                                $"in {entry.Source} (sha256 {written.Sha256} vs {earlier.Sha256}); two exports disagree about one entry. Refusing both.");
                    }
                    finally { File.Delete(path + ".part"); }
                    continue;
                }
                File.Move(path + ".part", path);
                entry.Files[parts[2]] = written;
                files++;
                bytes += written.Size;
            }
        }
        catch (InvalidDataException e) { throw new LmevException($"{archive}: not a readable tar ({e.Message}); expected an export made by `lmev cache export`", e); }
        catch (FormatException e) { throw new LmevException($"{archive}: not a readable tar ({e.Message}); expected an export made by `lmev cache export`", e); }
        if (index is null) throw new LmevException($"{archive}: no {ExportIndex.FileName}; expected an export made by `lmev cache export`");
        foreach (var e in index.Entries)
        {
            if (!staged.TryGetValue((e.Stage, e.Key), out var entry) || !entry.Files.ContainsKey(Manifest.FileName))
                throw new LmevException($"{archive}: {ExportIndex.FileName} lists entry {e.Stage} {e.Key} ({e.Unit}), but the archive does not hold its {Manifest.FileName}");
            indexed.Add((e.Stage, e.Key));
            entry.DeclaredAbsent.UnionWith(e.Absent);
        }
        return (files, bytes);
    }

    /// <summary>
    /// Two manifests of one key from two jobs that each built the entry (two models sharing one table) differ in
    /// their times and host; they are the same entry when parameters, inputs and every output's hash agree.
    /// </summary>
    private static bool SameEntry(string first, string second)
    {
        try
        {
            var (a, b) = (JsonSerializer.Deserialize<Manifest>(File.ReadAllText(first), CanonicalJson.Options),
                JsonSerializer.Deserialize<Manifest>(File.ReadAllText(second), CanonicalJson.Options));
            return a is not null && b is not null && a.Stage == b.Stage && a.Key == b.Key && a.Version == b.Version
                && System.Text.Json.Nodes.JsonNode.DeepEquals(a.Params, b.Params)
                && a.Inputs.SequenceEqual(b.Inputs) && a.Outputs.SequenceEqual(b.Outputs);
        }
        catch (JsonException) { return false; }
    }

    /// <summary>The member's path as its parts: [index] or [stage, key, file]; anything else is refused naming it.</summary>
    private static string[] CheckName(string archive, string name, bool directory)
    {
        string Refuse(string why) => throw new LmevException($"{archive}: member '{name}' {why}; an export holds only " +
            $"{ExportIndex.FileName} and <stage>/<key>/<file>. Refusing the whole archive.");
        if (name.Length == 0) Refuse("has an empty name");
        if (name.StartsWith('/') || name.Contains('\\') || name.Contains(':')) Refuse("has an absolute or non-portable path");
        var parts = name.Split('/');
        if (parts.Any(p => p is "" or "." or "..")) Refuse("has an empty, '.' or '..' path segment (it would escape its folder)");
        if (directory)
        {
            if (parts.Length > 2 || !StagedEntry.StageName().IsMatch(parts[0]) || parts.Length == 2 && !StagedEntry.KeyName().IsMatch(parts[1])) Refuse("is an unexpected folder");
            return parts;
        }
        if (parts.Length == 1 && parts[0] == ExportIndex.FileName) return parts;
        if (parts.Length != 3) Refuse("is not at <stage>/<key>/<file>");
        if (!StagedEntry.StageName().IsMatch(parts[0]) || parts[0] == StageCache.RefsFolder) Refuse($"names no stage ('{parts[0]}')");
        if (!StagedEntry.KeyName().IsMatch(parts[1])) Refuse($"names no key ('{parts[1]}': expected 16 hex digits)");
        if (parts[2].StartsWith('.')) Refuse("is a hidden file, which no stage writes");
        return parts;
    }

    private static ExportIndex ReadIndex(string archive, TarEntry member)
    {
        try
        {
            var index = JsonSerializer.Deserialize<ExportIndex>(member.DataStream ?? Stream.Null, JsonFile.Strict);
            if (index is not { Format: ExportIndex.CurrentFormat })
                throw new LmevException($"{archive}: {ExportIndex.FileName} has format {index?.Format}; this lmev reads format {ExportIndex.CurrentFormat}");
            return index;
        }
        catch (JsonException e) { throw new LmevException($"{archive}: {ExportIndex.FileName} is not valid ({e.Message})", e); }
    }

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.SymbolicLink => "symbolic link",
        TarEntryType.HardLink => "hard link",
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => "device",
        TarEntryType.Fifo => "FIFO",
        _ => $"{type} member",
    };
}
