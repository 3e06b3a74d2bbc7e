using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Tests.Support;
using Lmev.Contracts;

namespace Lmev.Tests.Stages;

/// <summary>The fasttext baseline as a model of an experiment: its runs, its outputs, and how the report shows it.</summary>
public sealed class FastTextTrainTests
{
    private static TestProject Project(int runs = 2)
    {
        var p = new TestProject(demoRows: 4000, sampleRows: 1500, testRows: 200);
        p.Experiment["train"] = new JsonObject { ["epochs"] = 2, ["batchSize"] = 128, ["hidden"] = 32, ["threads"] = 1, ["seed"] = 9 };
        p.Experiment["runs"] = runs;
        p.Experiment["models"] = new JsonArray(
            new JsonObject { ["name"] = "r16", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3 },
            new JsonObject { ["name"] = "ft", ["kind"] = "fasttext", ["dim"] = 16, ["buckets"] = 5000, ["epochs"] = 3, ["lr"] = 0.5, ["batchSize"] = 16 });
        p.Save();
        return p;
    }

    [Fact]
    public void A_fasttext_model_trains_runs_times_without_model_or_embed_and_the_report_marks_it_as_the_baseline()
    {
        using var p = Project();
        p.RunAll(last: "report");
        Assert.Equal(["r16"], p.Flow().Run("model").Select(m => m.Unit));
        Assert.Equal(["r16"], p.Flow().Run("embed").Select(m => m.Unit));
        foreach (var run in new[] { "ft/run-1", "ft/run-2" })
        {
            var folder = Path.Combine(p.Root, "saved_models", "demo", run);
            foreach (var file in new[] { "model.dat", "params.json", "metrics.json", "test-predictions.csv", "vocabulary.txt" })
                Assert.True(File.Exists(Path.Combine(folder, file)), $"{folder}/{file}");
            var m = RunMetrics.Read(Path.Combine(folder, "metrics.json"));
            Assert.True(m.Baseline);
            Assert.Equal("supervised", m.Mode);
            Assert.Equal(3, m.EpochsRun);
            Assert.All(m.Epochs, e => Assert.True(double.IsFinite(e.ValLoss) && double.IsFinite(e.ValBalancedAccuracy)));
            Assert.True(m.Epochs[^1].Loss < m.Epochs[0].Loss);
            Assert.Equal(201, File.ReadAllLines(Path.Combine(folder, "test-predictions.csv")).Length);
        }
        Assert.DoesNotContain("baseline", File.ReadAllText(Path.Combine(p.Root, "saved_models", "demo", "r16", "run-1", "metrics.json")));

        var aggregate = p.Flow().Run("aggregate").Single();
        var summary = RunSummary.Read(aggregate.Output(RunSummary.FileName).Path);
        Assert.Equal(["ft"], summary.Baselines);
        // Compared only as the baseline, never paired with an embedding model over a factor.
        Assert.DoesNotContain(summary.Comparisons, c => c.Factor != "baseline" && (c.ModelA == "ft" || c.ModelB == "ft"));
        Assert.Contains(summary.Comparisons, c => c.Factor == "baseline" && c.ModelA == "r16" && c.ModelB == "ft");
        Assert.Contains(RunsTable.Read(aggregate.Output(RunsTable.FileName).Path), r => r.Model == "ft" && r.Baseline);

        var report = File.ReadAllText(Path.Combine(p.Root, "report", "README.md"));
        Assert.Contains("| Línea base |", report);
        Assert.Matches(@"\| ft \| Sin preentrenar \| 16 \| no \| supervised \| sí \| 2 de 2 \|", report);
        Assert.Contains("| ft (línea base) |", report);
        Assert.Matches(@"- Frente a la línea base: r16 \(el mejor modelo de embeddings\) frente a ft \(la mejor línea base\): ", report);
    }

    [Fact]
    public void Two_processes_with_the_same_seed_write_bit_identical_metrics_and_weights()
    {
        using var a = Project(runs: 1);
        using var b = Project(runs: 1);
        foreach (var p in new[] { a, b })
        {
            p.RunAll(last: "split");
            var (code, output) = LmevProcess.Run(p, "train", "--model", "ft");
            Assert.True(code == 0, output);
        }
        string Folder(TestProject p) => Path.Combine(p.Root, "saved_models", "demo", "ft", "run-1");
        // Everything but the seconds, byte for byte.
        static string WithoutTimes(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"(seconds|trainSeconds|wallSeconds)\": [^,\\n]+", "\"$1\": _");
        var (ma, mb) = (File.ReadAllText(Path.Combine(Folder(a), "metrics.json")), File.ReadAllText(Path.Combine(Folder(b), "metrics.json")));
        Assert.Contains("\"trainSeconds\": _", WithoutTimes(ma));
        Assert.Equal(WithoutTimes(ma), WithoutTimes(mb));
        foreach (var file in new[] { "model.dat", "test-predictions.csv", "vocabulary.txt", "params.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(Folder(a), file)), File.ReadAllBytes(Path.Combine(Folder(b), file)));
    }
}
