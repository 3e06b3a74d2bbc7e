using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate;
using Lmev.Tests.Support;
using Lmev.Contracts;

namespace Lmev.Tests.Report;

public sealed class AggregateTests
{
    private static (RunSummary Summary, List<RunRow> Rows, Manifest Manifest) Aggregate(TempDir dir, IReadOnlyList<RunInput> runs, ReferenceFigures? reference = null)
    {
        var (m, _) = StageRunner.Run(new AggregateStage(new AggregateParams(reference), runs), Path.Combine(dir.Path, "cache"));
        return (RunSummary.Read(Path.Combine(m.Directory, RunSummary.FileName)), RunsTable.Read(Path.Combine(m.Directory, RunsTable.FileName)), m);
    }

    [SkippableFact]
    public void The_studys_32_published_runs_reproduce_its_means()
    {
        var runs = ReferenceRuns.Read(SharedData.Require("reference-runs.csv"));
        Assert.Equal(32, runs.Count);
        using var dir = new TempDir();
        var (s, rows, _) = Aggregate(dir, Runs.Write(dir, runs));

        Assert.Equal(32, rows.Count);
        Assert.All(rows, r => Assert.Equal(RunStatus.Ok, r.Status));
        var best = s.Models.MaxBy(g => g.Mean)!;
        Assert.Equal(("nnlm-es-dim50-with-normalization", 0.7536, 4), (best.Model, Math.Round(best.Mean!.Value, 4), best.N));
        Assert.All(s.Models, g => Assert.Equal(4, g.N));
        Assert.All(s.Models, g => Assert.Equal("t", g.Interval));
        Assert.Equal(["Tesla P100-PCIE-16GB", "Tesla T4"], s.Devices.Select(g => g.Key));
    }

    [SkippableFact]
    public void Reference_runs_parse_their_handles()
    {
        var first = ReferenceRuns.Read(SharedData.Require("reference-runs.csv"))
            .First(r => r.Model == "nnlm-es-dim128-with-normalization");
        Assert.Equal(("es", 128, true, "fine-tune", 1), (first.Language, first.Dim, first.Normalization, first.Mode, first.Run));
        Assert.Null(first.Seed);
        Assert.Empty(first.Epochs);
    }

    [Fact]
    public void Reference_runs_with_a_handle_that_is_not_nnlm_is_a_clear_error()
    {
        using var dir = new TempDir();
        var path = dir.File("ref.csv", "run_id,tfhub_model,bac,epochs_run,gpu,output_dim,train_seconds,best_val_loss\nr1,https://example.invalid/google/universal-sentence-encoder/4,0.7,10,T4,1500,200,1.1\n");
        var e = Assert.Throws<LmevException>(() => ReferenceRuns.Read(path));
        Assert.Contains("ref.csv:2: column 'tfhub_model'", e.Message);
        Assert.Contains("universal-sentence-encoder", e.Message);
    }

    [Fact]
    public void Every_run_is_kept_and_bad_runs_are_counted_listed_and_left_out_of_the_means()
    {
        using var dir = new TempDir();
        var runs = Runs.Write(dir,
        [
            Runs.Make("m", 1, 0.80), Runs.Make("m", 2, 0.70),
            Runs.Make("m", 3, 0.99) with { Epochs = [new EpochMetrics(1, double.NaN, double.NaN, 0, 1)], BestValLoss = double.NaN },
            Runs.Make("m", 4, 0.99),
        ]);
        // Published truncated (its manifest records these bytes): the stage reads it and calls the run corrupt.
        File.WriteAllText(runs[3].Metrics!.Path, """{ "experiment": "test", "model": "m", "run": """);
        runs[3] = runs[3] with { Metrics = StageRunner.FileArtifact(runs[3].Metrics!.Path) };
        runs.Add(new RunInput("m", 5, null));                                                             // never published
        runs.Add(new RunInput("m", 6, runs[0].Metrics! with { Path = dir.File("gone/metrics.json") }));   // file gone

        var (s, rows, m) = Aggregate(dir, runs);

        Assert.Equal([1, 2, 3, 4, 5, 6], rows.Select(r => r.Run));
        Assert.Equal(["ok", "ok", "diverged"], rows.Take(3).Select(r => r.Status));
        Assert.StartsWith("corrupt: metrics.json:", rows[3].Status);
        Assert.Equal(["missing", "missing"], rows.Skip(4).Select(r => r.Status));
        Assert.True(double.IsNaN(rows[2].BestValLoss!.Value));
        Assert.Equal("m", rows[4].Model);

        var g = Assert.Single(s.Models);
        Assert.Equal((2, 0.75, 4), (g.N, Math.Round(g.Mean!.Value, 10), g.Excluded));
        Assert.Equal((6, 2), (s.Runs, s.Ok));
        Assert.Equal(new Dictionary<string, int> { ["corrupt"] = 1, ["diverged"] = 1, ["missing"] = 2, ["ok"] = 2 }, s.StatusCounts);
        Assert.Equal([3, 4, 5, 6], s.Excluded.Select(x => x.Run));
        Assert.Equal(4, (int)m.Report["excluded"]!);
    }

    [Fact]
    public void A_file_for_another_run_is_corrupt_not_silently_merged()
    {
        using var dir = new TempDir();
        var runs = Runs.Write(dir, [Runs.Make("a", 1, 0.8)]);
        var (_, rows, _) = Aggregate(dir, [new RunInput("b", 1, runs[0].Metrics)]);
        Assert.Equal("corrupt: file is for model 'a' run 1, expected model 'b' run 1", Assert.Single(rows).Status);
    }

    [Fact]
    public void One_run_has_an_undefined_std_written_as_null()
    {
        using var dir = new TempDir();
        var (s, _, m) = Aggregate(dir, Runs.Write(dir, [Runs.Make("solo", 1, 0.6)]));
        var g = Assert.Single(s.Models);
        Assert.Equal((1, 0.6, 0.6, 0.6), (g.N, g.Mean, g.Min, g.Max));
        Assert.Null(g.Std);
        Assert.Contains("\"std\": null", File.ReadAllText(Path.Combine(m.Directory, RunSummary.FileName)));
    }

    [Fact]
    public void Std_is_the_sample_std_models_carry_their_factors_and_an_interval_and_devices_their_time()
    {
        using var dir = new TempDir();
        var (s, _, _) = Aggregate(dir, Runs.Write(dir, Runs.Small()));
        var es = s.Models.Single(g => g.Model == "es-dim50-norm");
        Assert.Equal(0.01, es.Std!.Value, 12); // 0.80, 0.81, 0.82: n − 1 in the denominator
        Assert.Equal(("es", 50, true, "frozen"), (es.Language, es.Dim, es.Normalization, es.Mode));
        Assert.Equal(0.81 - 4.302653 * 0.01 / Math.Sqrt(3), es.Low!.Value, 6); // t interval over 3 runs
        Assert.Equal(["cpu: test", "cuda: NVIDIA H200"], s.Devices.Select(g => g.Key));
        Assert.Equal(4, s.Devices[1].MeanTrainSeconds!.Value, 12);
        Assert.Equal(["0.107.0"], s.Versions["torchsharp"]);
    }

    [Fact]
    public void Reference_figures_are_compared_per_model_with_welch_against_the_published_runs()
    {
        using var dir = new TempDir();
        var reference = new ReferenceFigures("the study",
            new SortedDictionary<string, double> { ["es-dim128"] = 0.75, ["not-run"] = 0.7 },
            new SortedDictionary<string, double[]> { ["es-dim128"] = [0.74, 0.75, 0.76] });
        var (s, _, _) = Aggregate(dir, Runs.Write(dir, Runs.Small()), reference);
        var r = s.Reference!;
        Assert.Equal("the study", r.Source);
        var m = r.Models.Single(c => c.Model == "es-dim128");
        Assert.Equal(0.02, m.Difference!.Value, 12);
        Assert.Equal((3, 2.449490), (m.PublishedRuns, Math.Round(m.Statistic!.Value, 6))); // 0.02 / √(0.0001/3 · 2)
        Assert.Equal(m.P, m.PHolm); // one test
        Assert.Null(r.Models.Single(c => c.Model == "not-run").Ours);
    }

    [Fact]
    public void Predictions_give_per_class_recall_confusions_a_paired_bootstrap_and_a_single_run_interval()
    {
        using var dir = new TempDir();
        var runs = Runs.WriteWithPredictions(dir,
        [
            ("x-dim50", 50, 1, 0.9), ("x-dim50", 50, 2, 0.85),
            ("x-dim128", 128, 1, 0.6), ("x-dim128", 128, 2, 0.65),
            ("solo-dim300", 300, 1, 0.7),
        ], new Dictionary<string, string> { ["solo-dim300"] = "pt" });
        var (s, _, m) = Aggregate(dir, runs);
        var pair = Assert.Single(s.Comparisons);
        Assert.Equal(("dim", "x-dim50", "x-dim128", PairComparison.PairedBootstrap), (pair.Factor, pair.ModelA, pair.ModelB, pair.Test));
        Assert.True(pair.Low < pair.Difference && pair.Difference < pair.High);
        Assert.True(pair.Significant);
        var solo = s.Models.Single(g => g.Model == "solo-dim300");
        Assert.Equal("bootstrap", solo.Interval);
        Assert.True(solo.Low < solo.Mean && solo.Mean < solo.High);
        Assert.Equal(["solo-dim300"], s.Factors.Single(f => f.Factor == "dim").Unpaired);

        var best = s.Best!;
        Assert.Equal(("x-dim50", 2), (best.Model, best.Runs));
        Assert.Equal(Runs.Categories.Length, best.Classes);
        Assert.True(best.Lowest.Zip(best.Lowest.Skip(1)).All(p => p.First.Recall <= p.Second.Recall));
        Assert.All(best.Lowest, c => Assert.Equal(Runs.TrainRows(c.Category), c.Train));
        Assert.True(best.Confusions.Zip(best.Confusions.Skip(1)).All(p => p.First.Count >= p.Second.Count));
        var top = best.Confusions[0];
        Assert.Equal(top.Count / 40.0, top.Share, 12); // 20 titles of the class in each of 2 runs
        Assert.Equal(5, (int)m.Report["withPredictions"]!);
        var perClass = File.ReadAllLines(Path.Combine(m.Directory, PerClassTable.FileName));
        Assert.Equal("model,category,train,support,correct,recall", perClass[0]);
        Assert.Equal(1 + 3 * Runs.Categories.Length, perClass.Length);
    }

    [Fact]
    public void A_missing_run_changes_the_key()
    {
        using var dir = new TempDir();
        var runs = Runs.Write(dir, [Runs.Make("m", 1, 0.8), Runs.Make("m", 2, 0.7)]);
        var all = StageCache.Key(new AggregateStage(new AggregateParams(), runs));
        var fewer = StageCache.Key(new AggregateStage(new AggregateParams(), runs.Take(1).ToList()));
        var missing = StageCache.Key(new AggregateStage(new AggregateParams(), [runs[0], runs[1] with { Metrics = null }]));
        Assert.Equal(3, new[] { all, fewer, missing }.Distinct().Count());
    }

    [Fact]
    public void Metrics_json_writes_nan_as_a_string_and_reads_it_back()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.json");
        (Runs.Make("m", 1, 0.5) with { BestValLoss = double.NaN }).Write(path);
        Assert.Contains("\"bestValLoss\": \"NaN\"", File.ReadAllText(path));
        var back = RunMetrics.Read(path);
        Assert.True(double.IsNaN(back.BestValLoss));
        Assert.True(back.Diverged);
        Assert.Equal(4, back.Epochs.Count);
    }

    [Fact]
    public void Runs_csv_reads_back_what_was_written()
    {
        using var dir = new TempDir();
        var rows = Runs.Small().Select(m => RunRow.From(m, RunStatus.Ok)).Append(new RunRow("test", "x", 9, RunStatus.Corrupt("bad, \"quoted\"\nline"))).ToList();
        var path = dir.File(RunsTable.FileName);
        RunsTable.Write(path, rows);
        Assert.Equal(rows, RunsTable.Read(path));
    }
}
