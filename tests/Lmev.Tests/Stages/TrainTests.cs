using Lmev.Flow;
using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Pipeline.Npy;
using Lmev.Stages.Train;
using Lmev.Tests.Support;
using Lmev.Contracts;
using Lmev.Training;

namespace Lmev.Tests.Stages;

public sealed class TrainTests
{
    /// <summary>A small project: two quick models (one frozen, one fine-tuned), 2 runs, 3 epochs, 1 thread.</summary>
    private static TestProject Project(int runs = 2, int epochs = 3)
    {
        var p = new TestProject(demoRows: 4000, sampleRows: 1500, testRows: 200);
        p.Experiment["train"] = new JsonObject { ["epochs"] = epochs, ["batchSize"] = 128, ["hidden"] = 64, ["threads"] = 1, ["seed"] = 9 };
        p.Experiment["runs"] = runs;
        p.Experiment["models"] = new JsonArray(
            new JsonObject { ["name"] = "r16", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3 },
            new JsonObject { ["name"] = "r16-ft", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3, ["mode"] = "fine-tune" });
        p.Save();
        return p;
    }


    [Fact]
    public void Every_model_is_trained_runs_times_with_recorded_seeds_and_published_to_saved_models()
    {
        using var p = Project();
        p.RunAll(last: "train");
        var runs = p.Flow().Run("train");
        Assert.Equal(["r16-ft/run-1", "r16-ft/run-2", "r16/run-1", "r16/run-2"], runs.Select(r => r.Unit).Order());
        foreach (var run in runs)
        {
            var folder = Path.Combine(p.Root, "saved_models", "demo", run.Unit);
            foreach (var file in new[] { "model.dat", "params.json", "metrics.json", "test-predictions.csv" })
                Assert.True(File.Exists(Path.Combine(folder, file)), $"{folder}/{file}");
            var m = RunMetrics.Read(Path.Combine(folder, "metrics.json"));
            Assert.Equal(run.Unit.EndsWith("run-1") ? 1 : 2, m.Run);
            Assert.Equal(run.Unit.StartsWith("r16-ft") ? "fine-tune" : "frozen", m.Mode);
            Assert.NotNull(m.Seed);
            Assert.InRange(m.EpochsRun, 1, 3);
            Assert.Equal(m.EpochsRun, m.Epochs.Count);
            Assert.InRange(m.Test.BalancedAccuracy, 0, 1);
            Assert.StartsWith("cpu", m.Device);
            Assert.Equal(201, File.ReadAllLines(Path.Combine(folder, "test-predictions.csv")).Length);
        }
        Assert.Equal(2, runs.Where(r => r.Unit.StartsWith("r16/")).Select(r => RunMetrics.Read(Path.Combine(r.Directory, "metrics.json")).Seed).Distinct().Count());
    }

    [Fact]
    public void A_rerun_is_cached_and_changing_epochs_retrains_without_re_embedding()
    {
        using var p = Project(runs: 1, epochs: 2);
        p.RunAll(last: "train");
        var before = p.Log.Count;
        p.Flow().Run("train");
        Assert.Equal(2, p.Log.Skip(before).Count(l => l.Contains(": cached (")));
        p.Experiment["train"]!["epochs"] = 1;
        p.Save();
        before = p.Log.Count;
        p.Flow().Run("embed");
        p.Flow().Run("train");
        var log = p.Log.Skip(before).ToList();
        Assert.DoesNotContain(log, l => l.StartsWith("embed [") && l.Contains(": running ("));
        Assert.Equal(2, log.Count(l => l.StartsWith("train [") && l.Contains(": running (")));
    }

    [Fact]
    public void Same_seed_and_threads_give_bit_identical_metrics_in_two_processes()
    {
        using var a = Project(runs: 1, epochs: 2);
        using var b = Project(runs: 1, epochs: 2);
        foreach (var p in new[] { a, b })
        {
            p.RunAll(last: "embed");
            var (code, output) = LmevProcess.Run(p, "train", "--model", "r16", "--model", "r16-ft");
            Assert.True(code == 0, output);
        }
        foreach (var unit in new[] { "r16/run-1", "r16-ft/run-1" })
        {
            var ma = RunMetrics.Read(Path.Combine(a.Root, "saved_models", "demo", unit, "metrics.json"));
            var mb = RunMetrics.Read(Path.Combine(b.Root, "saved_models", "demo", unit, "metrics.json"));
            Assert.Equal(ma.Epochs.Select(e => (e.Loss, e.ValLoss, e.ValBalancedAccuracy)), mb.Epochs.Select(e => (e.Loss, e.ValLoss, e.ValBalancedAccuracy)));
            Assert.Equal(ma.Test, mb.Test);
            Assert.Equal(ma.Seed, mb.Seed);
            Assert.Equal(
                File.ReadAllText(Path.Combine(a.Root, "saved_models", "demo", unit, "test-predictions.csv")),
                File.ReadAllText(Path.Combine(b.Root, "saved_models", "demo", unit, "test-predictions.csv")));
        }
    }

    private static TrainStage StageWith(TestProject p, Func<string, string, string>? alterNpy = null)
    {
        var split = p.Flow().Run("split")[0];
        var embed = p.Flow(models: ["r16"]).Run("embed")[0];
        var inputs = new Dictionary<string, Artifact>
        {
            ["classes"] = split.Output("classes.csv"),
        };
        foreach (var s in new[] { "train", "val", "test" })
        {
            inputs[$"{s}.csv"] = split.Output($"{s}.csv");
            var npy = embed.Output($"{s}.npy");
            inputs[$"{s}.npy"] = alterNpy is null ? npy : StageRunner.FileArtifact(alterNpy(s, npy.Path));
        }
        return new TrainStage(new TrainParams("r16", "frozen", 16, 1, 5, new MlpSettings { Epochs = 2, BatchSize = 128, Dropout = 0.25, Hidden = 64, LearningRate = 1e-3, Patience = 3 }),
            new TrainLabels("demo", "none", false), inputs, threads: 1);
    }

    [Fact]
    public void Embeddings_whose_row_count_differs_from_the_split_are_a_clear_error()
    {
        using var p = Project(runs: 1);
        p.RunAll(last: "embed");
        using var dir = new TempDir();
        var stage = StageWith(p, (split, path) =>
        {
            if (split != "val") return path;
            var (values, rows, columns) = NpyReader.Read(path);
            var shorter = dir.File("val.npy");
            using (var w = new NpyWriter(shorter, columns)) w.Append(values.AsSpan(0, (int)(rows - 1) * columns));
            return shorter;
        });
        var e = Assert.Throws<LmevException>(() => StageRunner.Run(stage, p.CacheRoot));
        Assert.Contains("val.npy", e.Message);
        Assert.Contains("rows, but", e.Message);
        Assert.False(Directory.Exists(Path.Combine(p.CacheRoot, "train")));
    }

    [Fact]
    public void A_nan_in_the_embeddings_is_a_clear_error_naming_the_row()
    {
        using var p = Project(runs: 1);
        p.RunAll(last: "embed");
        using var dir = new TempDir();
        var stage = StageWith(p, (split, path) =>
        {
            if (split != "train") return path;
            var (values, _, columns) = NpyReader.Read(path);
            values[3 * columns + 2] = float.NaN;
            var bad = dir.File("train.npy");
            using (var w = new NpyWriter(bad, columns)) w.Append(values);
            return bad;
        });
        var e = Assert.Throws<LmevException>(() => StageRunner.Run(stage, p.CacheRoot));
        Assert.Contains("train.npy: row 4, column 3 is NaN", e.Message);
    }

    [Fact]
    public void An_empty_validation_set_trains_every_epoch_and_says_so()
    {
        using var p = Project(runs: 1, epochs: 2);
        p.Experiment["split"]!["validationFraction"] = 0.0;
        p.Save();
        p.RunAll(last: "embed");
        var run = p.Flow(models: ["r16"]).Run("train")[0];
        var m = RunMetrics.Read(Path.Combine(run.Directory, "metrics.json"));
        Assert.Equal(2, m.EpochsRun);
        Assert.Contains(p.Log, l => l.Contains("the validation split is empty"));
        Assert.All(m.Epochs, e => Assert.True(double.IsNaN(e.ValLoss)));
    }

    [Fact]
    public void A_class_with_a_single_training_example_is_trained_on_like_any_other()
    {
        // Hand-made split: class 2 (RARA) has one training row; its test row still counts in the balanced accuracy.
        using var dir = new TempDir();
        var rng = new Random(4);
        Artifact Csv(string name, int[] labels)
        {
            var path = dir.File(name);
            File.WriteAllLines(path, new[] { "title,category,label" }.Concat(labels.Select((l, i) => $"t{name}{i},{(l == 2 ? "RARA" : $"C{l}")},{l}")));
            return StageRunner.FileArtifact(path);
        }
        Artifact Npy(string name, int[] labels)
        {
            var path = dir.File(name);
            using (var w = new NpyWriter(path, 4))
                foreach (var l in labels) w.Append([l == 0 ? 1f : 0f, l == 1 ? 1f : 0f, l == 2 ? 1f : 0f, (float)rng.NextDouble()]);
            return StageRunner.FileArtifact(path);
        }
        var train = Enumerable.Repeat(0, 20).Concat(Enumerable.Repeat(1, 20)).Append(2).ToArray();
        int[] val = [0, 1, 0, 1];
        int[] test = [0, 1, 2, 0, 1];
        var classes = dir.File("classes.csv", "label,category,train,val,test\n0,C0,20,2,2\n1,C1,20,2,2\n2,RARA,1,0,1\n");
        var inputs = new Dictionary<string, Artifact>
        {
            ["classes"] = StageRunner.FileArtifact(classes),
            ["train.csv"] = Csv("train.csv", train), ["val.csv"] = Csv("val.csv", val), ["test.csv"] = Csv("test.csv", test),
            ["train.npy"] = Npy("train.npy", train), ["val.npy"] = Npy("val.npy", val), ["test.npy"] = Npy("test.npy", test),
        };
        var stage = new TrainStage(new TrainParams("m", "frozen", 4, 1, 5, new MlpSettings { Epochs = 3, BatchSize = 8, Dropout = 0, Hidden = 16, LearningRate = 1e-2, Patience = 3 }),
            new TrainLabels("t", "none", false), inputs, threads: 1);
        var (m, _) = StageRunner.Run(stage, dir.File("cache"));
        var metrics = RunMetrics.Read(Path.Combine(m.Directory, "metrics.json"));
        Assert.Equal(3, metrics.Classes);
        Assert.InRange(metrics.Test.BalancedAccuracy, 0, 1);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(m.Directory, "test-predictions.csv")).Length);
    }
}
