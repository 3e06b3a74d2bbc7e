using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Pipeline.Transfer;
using Lmev.Tests.Support;

namespace Lmev.Tests.Transfer;

/// <summary>
/// The study workflow's fan-out, played by four project folders with caches of their own that share
/// nothing but exports: prepare, one train job per model, report. Its report must be the one a single
/// folder makes running everything in sequence, training times aside.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed partial class FanOutTests
{
    /// <summary>The steps before Train: a train job needs their manifests (keys), and only some of their data.</summary>
    private static readonly string[] BeforeTrain = ["download", "filter-spanish", "sample", "split", "model", "embed"];

    internal static TestProject Project()
    {
        var p = new TestProject();
        p.AddQuickModels();
        p.Experiment["runs"] = new JsonObject { ["count"] = 2, ["resample"] = true };
        p.Save();
        return p;
    }

    /// <summary>What `dotnet cake --target=X --model=M` runs: every step up to X, the per-model ones for M only.</summary>
    private static void RunUpTo(TestProject p, string last, string[]? models = null)
    {
        foreach (var step in ExperimentFlow.StepNames.Take(ExperimentFlow.StepNames.ToList().IndexOf(last) + 1))
            p.Flow(models: models).Run(step);
    }

    private static string Export(TestProject p, string file, string[] steps, string[] manifestsOnly, string[]? models = null, string[]? omit = null)
    {
        var path = Path.Combine(p.Root, "..", $"{Path.GetFileName(p.Root)}-{file}");
        CacheExport.Write(path, p.Flow(models: models).ExportSelections(steps, manifestsOnly, (omit ?? []).ToHashSet()));
        return path;
    }

    private static CacheImport.Outcome Import(TestProject p, params string[] archives) =>
        new CacheImport(new StageCache(p.CacheRoot), p.Log.Add).Import(archives);

    [Fact]
    public void Prepare_two_train_jobs_and_report_sharing_only_exports_make_the_sequential_report()
    {
        using var sequential = Project();
        RunUpTo(sequential, "report");

        using var prepare = Project();
        using var trainR16 = Project();
        using var trainR16Ft = Project();
        using var report = Project();
        var exports = new List<string>();
        try
        {
            // prepare (study.yml): Download → Split and Model; exports the splits, and the steps before them as manifests.
            RunUpTo(prepare, "model");
            var prepared = Export(prepare, "prepare.tar", ["split"], ["download", "filter-spanish", "sample"]);
            exports.Add(prepared);
            var trainExports = new List<string>();
            foreach (var (job, model) in new[] { (trainR16, "r16"), (trainR16Ft, "r16-ft") })
            {
                Import(job, prepared);
                var before = job.Log.Count;
                RunUpTo(job, "train", models: [model]);
                // Nothing before Model ran again: the imported entries served (each job builds its own model's files).
                Assert.All(job.Ran(before), u => Assert.Matches(@"^(model|embed|train) \[", u));
                // The runs without their weights, and the manifests the report's keys need.
                var trained = Export(job, $"train-{model}.tar", ["train"], BeforeTrain, models: [model], omit: ["model.dat"]);
                exports.Add(trained);
                trainExports.Add(trained);
            }

            // report: Aggregate → Plot → Report (Cake's chain, every earlier step found in the imported entries);
            // the splits whole, since where each model errs needs each class's training frequency.
            Import(report, prepared);
            Import(report, [.. trainExports]);
            var from = report.Log.Count;
            RunUpTo(report, "report");
            Assert.Equal(["aggregate", "plot", "report"], report.Ran(from));

            foreach (var unit in new[] { "r16/run-1", "r16/run-2", "r16-ft/run-1", "r16-ft/run-2" })
            {
                var saved = Path.Combine(report.Root, "saved_models", "demo", unit);
                Assert.True(File.Exists(Path.Combine(saved, RunMetrics.FileName)), saved);
                Assert.False(File.Exists(Path.Combine(saved, "model.dat")), $"{saved}/model.dat was left behind on purpose");
            }
            var (expected, actual) = (Normalized(sequential), Normalized(report));
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var file in expected.Keys)
            {
                if (expected[file] == actual[file]) continue;
                var line = expected[file].Split('\n').Zip(actual[file].Split('\n')).Select((l, i) => (l, i)).FirstOrDefault(x => x.l.First != x.l.Second);
                Assert.Fail($"report/{file} differs from the sequential run's, first at line {line.i + 1}:\n  sequential: {line.l.First}\n  fan-out:    {line.l.Second}");
            }
            Assert.All(report.Flow().Status(), s => Assert.Equal("up to date", s.State));
        }
        finally
        {
            foreach (var e in exports) File.Delete(e);
        }
    }

    [GeneratedRegex(@"\b\d+(?:[.,]\d+)* s\b")]
    private static partial Regex SecondsInText();

    /// <summary>
    /// The report's files with training times masked: the Markdown's "(s)" table columns and "N s" in
    /// sentences; runs.csv's and summary.json's seconds; the figures that do not plot time.
    /// </summary>
    private static SortedDictionary<string, string> Normalized(TestProject p)
    {
        var dir = Path.Combine(p.Root, "report");
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(Path.Combine(dir, file!));
            files[file!] = file switch
            {
                // Which entries (keys, hashes) each run published from: timings differ, so keys do; the files themselves are compared.
                Lmev.Pipeline.PublishedFolder.RecordName => "(the entries it was published from)",
                "README.md" => MaskMarkdown(text),
                "runs.csv" => MaskCsv(text),
                "summary.json" => SecondsInJson().Replace(text, "$1…"),
                _ when file!.StartsWith("bac_vs_time", StringComparison.Ordinal) => "(plots training time)",
                "index.html" => "(embeds bac_vs_time.png)",
                _ when file!.EndsWith(".png", StringComparison.Ordinal) => Hashing.Sha256Hex(File.ReadAllBytes(Path.Combine(dir, file))),
                _ when file!.EndsWith(".svg", StringComparison.Ordinal) => RenumberClipPaths(text),
                _ => text,
            };
        }
        return files;
    }

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
