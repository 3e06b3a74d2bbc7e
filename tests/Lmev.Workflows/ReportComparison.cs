using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Lmev.Workflows;

/// <summary>
/// Two report/ folders compared as the same results: training times masked (the Markdown's "(s)" table columns and "N s" in
/// sentences, runs.csv's and summary.json's seconds, the figure that plots time and the HTML that embeds it), the published
/// record (which entries, by key, each came from) left out, SVG clip-path ids renumbered, every other file byte for byte.
/// </summary>
public static partial class ReportComparison
{
    /// <summary>The record PublishedFolder writes in each folder it publishes (lmev's PublishedFolder.RecordName).</summary>
    public const string PublishedRecord = ".lmev-published.json";

    /// <summary>Null when the two folders hold the same report; else what differs first (a file, or a line of one).</summary>
    public static string? Difference(string expectedFolder, string actualFolder)
    {
        var (expected, actual) = (Normalized(expectedFolder), Normalized(actualFolder));
        if (!expected.Keys.SequenceEqual(actual.Keys))
            return $"the files differ: {expectedFolder} has {string.Join(", ", expected.Keys)}; {actualFolder} has {string.Join(", ", actual.Keys)}";
        foreach (var file in expected.Keys)
        {
            if (expected[file] == actual[file]) continue;
            var line = expected[file].Split('\n').Zip(actual[file].Split('\n')).Select((l, i) => (l, i)).FirstOrDefault(x => x.l.First != x.l.Second);
            return $"{file} differs, first at line {line.i + 1}:\n  {expectedFolder}: {line.l.First}\n  {actualFolder}: {line.l.Second}";
        }
        return null;
    }

    /// <summary>Each file of the folder as compared (the published record only when <paramref name="withRecord"/>).</summary>
    public static SortedDictionary<string, string> Normalized(string folder, bool withRecord = false)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            if (file == PublishedRecord && !withRecord) continue;
            var text = File.ReadAllText(path);
            files[file] = file switch
            {
                // Which entries (keys, hashes) each run published from: timings differ, so keys do; the files themselves are compared.
                PublishedRecord => "(the entries it was published from)",
                "README.md" => MaskMarkdown(text),
                "runs.csv" => MaskCsv(text),
                "summary.json" => SecondsInJson().Replace(text, "$1…"),
                _ when file.StartsWith("bac_vs_time", StringComparison.Ordinal) => "(plots training time)",
                "index.html" => "(embeds bac_vs_time.png)",
                _ when file.EndsWith(".png", StringComparison.Ordinal) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
                _ when file.EndsWith(".svg", StringComparison.Ordinal) => RenumberClipPaths(text),
                _ => text,
            };
        }
        return files;
    }

    [GeneratedRegex(@"\b\d+(?:[.,]\d+)* s\b")]
    private static partial Regex SecondsInText();

    [GeneratedRegex(@"(""\w*[sS]econds"": )[^,\n}]+")]
    private static partial Regex SecondsInJson();

    [GeneratedRegex(@"\bcl_[0-9a-f]+\b")]
    private static partial Regex ClipPathId();

    /// <summary>The SVG writer numbers clip paths with a counter per process: numbered again by first use, the drawings compare.</summary>
    private static string RenumberClipPaths(string svg)
    {
        var ids = new Dictionary<string, int>();
        return ClipPathId().Replace(svg, m => $"clip-{(ids.TryGetValue(m.Value, out var n) ? n : ids[m.Value] = ids.Count)}");
    }

    private static string MaskMarkdown(string text)
    {
        var lines = text.Split('\n');
        int[] timeColumns = [];
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith('|')) { timeColumns = []; lines[i] = SecondsInText().Replace(lines[i], "… s"); continue; }
            var cells = lines[i].Split('|');
            if (timeColumns.Length == 0 && i + 1 < lines.Length && lines[i + 1].StartsWith("|-") || lines[i].Contains("(s)"))
                timeColumns = cells.Select((c, k) => (c, k)).Where(x => x.c.Contains("(s)")).Select(x => x.k).ToArray();
            else foreach (var k in timeColumns) if (k < cells.Length && !cells[k].TrimStart().StartsWith('-')) cells[k] = " … ";
            lines[i] = string.Join('|', cells);
        }
        return string.Join('\n', lines);
    }

    private static string MaskCsv(string text)
    {
        var lines = text.Split('\n');
        var header = lines[0].Split(',');
        var masked = header.Select((h, k) => (h, k)).Where(x => x.h.EndsWith("_seconds", StringComparison.Ordinal)).Select(x => x.k).ToHashSet();
        return string.Join('\n', lines.Select(l => string.Join(',', l.Split(',').Select((c, k) => masked.Contains(k) ? "…" : c))));
    }
}
