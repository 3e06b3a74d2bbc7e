using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Tests.Support;
using Lmev.Contracts;

namespace Lmev.Tests.Report;

/// <summary>Made-up training runs for the Aggregate, Plot and Report tests.</summary>
internal static class Runs
{
    public static RunMetrics Make(string model, int run, double bac, string language = "es", int dim = 50, bool normalization = true,
        string device = "cpu: test", double seconds = 10, int epochs = 4, double lossScale = 1)
    {
        var curve = Enumerable.Range(1, epochs)
            .Select(e => new EpochMetrics(e, lossScale * (3.0 / e), lossScale * (2.5 / e + 0.05 * e), bac * e / epochs, 1.5))
            .ToList();
        var best = curve.MinBy(e => e.ValLoss)!;
        return new RunMetrics("test", model, language, dim, normalization, "frozen", run, 1000UL + (ulong)run, 120, 17100, 900, 2000,
            curve, epochs, best.Epoch, best.ValLoss, new TestMetrics(bac, bac + 0.03, bac - 0.02), seconds, seconds + 1,
            device, 2, new SortedDictionary<string, string> { ["torchsharp"] = "0.107.0", ["lmev"] = "0.1.0" });
    }

    /// <summary>Writes each run's metrics.json under <paramref name="dir"/> and returns the runs as stage inputs.</summary>
    public static List<RunInput> Write(TempDir dir, IEnumerable<RunMetrics> runs) =>
        runs.Select(m =>
        {
            var path = dir.File($"runs/{m.Model}/{m.Run}/{RunMetrics.FileName}");
            m.Write(path);
            return new RunInput(m.Model, m.Run, StageRunner.FileArtifact(path));
        }).ToList();

    /// <summary>Categories of the runs with predictions; some names carry Markdown and HTML.</summary>
    public static readonly string[] Categories =
        ["MLA1051", "MLA1055", "a|b*c*", "<img src=x onerror=\"window.lmevPwned=1\">", "<script>window.lmevPwned=2</script>", "Ropa _y_ `calzado` [x](y)"];

    /// <summary>Training rows of a category in the made-up split: 100, 200, … by its position.</summary>
    public static double TrainRows(string category) => 100 * (Array.IndexOf(Categories, category) + 1);

    /// <summary>
    /// Runs on one shared split of 20 test titles per category, each with its test-predictions.csv and
    /// the split's classes.csv; run k of a model gets title i right when a fixed pseudo-random draw is
    /// below <c>accuracy</c>, and otherwise predicts the next category. The metrics' BAC is the predictions'.
    /// </summary>
    public static List<RunInput> WriteWithPredictions(TempDir dir, IEnumerable<(string Model, int Dim, int Run, double Accuracy)> runs, IReadOnlyDictionary<string, string>? languages = null) =>
        WriteWithPredictions(dir, runs.Select(r => (Make(r.Model, r.Run, 0, languages?.GetValueOrDefault(r.Model) ?? "es", r.Dim), r.Accuracy)));

    /// <summary>As above, each run's metrics.json made from a template whose test BAC is replaced by its predictions'.</summary>
    public static List<RunInput> WriteWithPredictions(TempDir dir, IEnumerable<(RunMetrics Template, double Accuracy)> runs)
    {
        var classes = dir.File("split/classes.csv", "label,category,train,val,test\n" + string.Concat(Categories.Select((c, i) =>
            $"{i},\"{c.Replace("\"", "\"\"")}\",{TrainRows(c)},5,20\n")));
        var classesArtifact = StageRunner.FileArtifact(classes);
        var result = new List<RunInput>();
        foreach (var (template, accuracy) in runs)
        {
            var random = SeededRandom.For((ulong)template.Run, template.Model);
            var lines = new List<string> { "title,category,predicted" };
            var recall = new double[Categories.Length];
            for (var i = 0; i < 20 * Categories.Length; i++)
            {
                var truth = i % Categories.Length;
                var right = random.NextDouble() < accuracy * (1 - 0.1 * truth / Categories.Length);
                if (right) recall[truth] += 1.0 / 20;
                var predicted = right ? truth : (truth + 1) % Categories.Length;
                lines.Add($"título {i},{Quote(Categories[truth])},{Quote(Categories[predicted])}");
            }
            var predictions = dir.File($"runs/{result.Count}/test-predictions.csv", string.Join("\n", lines) + "\n");
            var metrics = template with { Test = template.Test with { BalancedAccuracy = recall.Average() } };
            var path = dir.File($"runs/{result.Count}/{RunMetrics.FileName}");
            metrics.Write(path);
            result.Add(new RunInput(template.Model, template.Run, StageRunner.FileArtifact(path), StageRunner.FileArtifact(predictions), classesArtifact));
        }
        return result;
    }

    private static string Quote(string field) => "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>Two Spanish and one English model, 3 runs each, Spanish clearly better.</summary>
    public static List<RunMetrics> Small() =>
    [
        .. new[] { 0.80, 0.81, 0.82 }.Select((b, i) => Make("es-dim50-norm", i + 1, b, "es", 50, true, seconds: 10 + i)),
        .. new[] { 0.76, 0.77, 0.78 }.Select((b, i) => Make("es-dim128", i + 1, b, "es", 128, false, seconds: 20 + i, lossScale: 1.1)),
        .. new[] { 0.70, 0.71, 0.72 }.Select((b, i) => Make("en-dim50-norm-with-a-rather-long-name", i + 1, b, "en", 50, true, device: "cuda: NVIDIA H200", seconds: 3 + i, lossScale: 1.2)),
    ];

    /// <summary>The demo experiment's shape: its seven models (fasttext a baseline) × 4 runs on one split, with predictions, 64-bit seeds and a long CPU name.</summary>
    public static (List<RunInput> Runs, SortedDictionary<string, ModelTraits> Models) DemoShaped(TempDir dir)
    {
        const string device = "cpu: AMD EPYC 7B13 64-Core Processor";
        (string Name, string Kind, string Language, int Dim, bool Normalization, string Mode, double Accuracy)[] models =
        [
            ("random-dim50", "random", "none", 50, false, "frozen", 0.62), ("random-dim50-with-normalization", "random", "none", 50, true, "frozen", 0.64),
            ("random-dim128", "random", "none", 128, false, "frozen", 0.70), ("random-dim128-with-normalization", "random", "none", 128, true, "frozen", 0.71),
            ("minilm-en", "minilm", "en", 384, false, "frozen", 0.80), ("random-dim50-fine-tune", "random", "none", 50, true, "fine-tune", 0.85),
            ("fasttext", "fasttext", "none", 50, false, "supervised", 0.90),
        ];
        var runs = models.SelectMany(m => Enumerable.Range(1, 4).Select(k =>
            (Make(m.Name, k, 0, m.Language, m.Dim, m.Normalization, device, seconds: 30 + k) with { Mode = m.Mode, Seed = 0x9E3779B97F4A7C15UL * (ulong)(4 * Array.IndexOf(models, m) + k), Baseline = m.Kind == "fasttext" },
                m.Accuracy + 0.01 * k)));
        return (WriteWithPredictions(dir, runs), new SortedDictionary<string, ModelTraits>(models.ToDictionary(m => m.Name, m => new ModelTraits(m.Kind)), StringComparer.Ordinal));
    }
}
