using System.Formats.Tar;
using System.Text.Json;

namespace Lmev.Pipeline.Transfer;

/// <summary>What to export of one entry: its manifest, and the outputs to leave behind.</summary>
public sealed record ExportSelection(Manifest Entry, IReadOnlySet<string> Omit);

/// <summary>
/// Packs cache entries into a tar (<c>lmev cache export</c>) to carry them to another machine's cache:
/// <c>lmev-export.json</c>, then per entry <c>&lt;stage&gt;/&lt;key&gt;/manifest.json</c> and its outputs.
/// Outputs no later job reads (a fine-tuned table's weights, the data behind an upstream key) can be
/// left behind and are named in the index, so that <see cref="CacheImport"/> tells them from lost ones.
/// Members carry the entry's finish time, not the time of the export.
/// </summary>
public static class CacheExport
{
    public static (int Entries, int Files, long Bytes) Write(string tarPath, IReadOnlyList<ExportSelection> selections)
    {
        var distinct = selections.GroupBy(s => (s.Entry.Stage, s.Entry.Key))
            .Select(g => new ExportSelection(g.First().Entry, g.SelectMany(s => s.Omit).ToHashSet(StringComparer.Ordinal))).ToList();
        var index = new ExportIndex(ExportIndex.CurrentFormat, distinct.Select(s => new ExportedEntry(s.Entry.Stage, s.Entry.Key, s.Entry.Unit, s.Entry.Experiment,
            s.Entry.Outputs.Keys.Where(f => s.Omit.Contains(f) || s.Entry.Absent.Contains(f)).ToList())).ToList());

        var full = Path.GetFullPath(tarPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var (files, bytes) = (0, 0L);
        try
        {
            using (var stream = File.Create(tmp))
            using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: false))
            {
                Add(tar, ExportIndex.FileName, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(index, CanonicalJson.Indented)), DateTimeOffset.UnixEpoch);
                foreach (var (s, e) in distinct.Zip(index.Entries))
                {
                    var dir = s.Entry.Directory;
                    var names = new[] { Manifest.FileName }.Concat(s.Entry.Outputs.Keys.Except(e.Absent));
                    foreach (var name in names)
                    {
                        var path = Path.Combine(dir, name);
                        if (!File.Exists(path))
                            throw new LmevException($"{path}: output of {s.Entry.Stage} {s.Entry.Key} ({s.Entry.Unit}) is missing from the cache; " +
                                $"rerun that step with --force, or leave the file out (--omit {name})");
                        using var file = File.OpenRead(path);
                        Add(tar, $"{s.Entry.Stage}/{s.Entry.Key}/{name}", file, s.Entry.Finished);
                        files++;
                        bytes += file.Length;
                    }
                }
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        return (distinct.Count, files, bytes);
    }

    private static void Add(TarWriter tar, string name, Stream data, DateTimeOffset time)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            ModificationTime = time,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        };
        tar.WriteEntry(entry);
    }
}
