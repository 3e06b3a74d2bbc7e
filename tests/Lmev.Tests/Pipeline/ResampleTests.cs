using System.Text.Json.Nodes;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary><c>runs.resample</c>: each run draws its own sample and split, as the study did.</summary>
public sealed class ResampleTests
{
    private static JsonObject Resampled(int count) => new() { ["count"] = count, ["resample"] = true };

    private static TestProject Project(int runs = 4, bool models = false)
    {
        var p = new TestProject();
        if (models) p.AddQuickModels();
        p.Experiment["runs"] = Resampled(runs);
        p.Save();
        return p;
    }

    private static string TestCsv(Manifest split) => File.ReadAllText(split.Output("test.csv").Path);

    [Fact]
    public void Each_resampled_run_has_its_own_test_set_and_draws_the_same_one_again()
    {
        using var a = Project();
        using var b = Project();
        Assert.Equal(["download", "filter-spanish", "sample", "split"], a.RunAll());
        b.RunAll();
        var splitsA = a.Flow().Run("split");
        var splitsB = b.Flow().Run("split");
        Assert.Equal(["run-1", "run-2", "run-3", "run-4"], splitsA.Select(s => s.Unit));
        Assert.Equal(4, splitsA.Select(TestCsv).Distinct().Count());
        Assert.Equal(splitsA.Select(TestCsv), splitsB.Select(TestCsv)); // a second cache root draws the same samples
        Assert.Equal(splitsA.Select(s => s.Key), splitsB.Select(s => s.Key));

        // Each run's seeds are derived from the experiment's seeds and the run number, and recorded in the manifest.
        var samples = a.Flow().Run("sample");
        var sampleSeeds = samples.Select(s => (ulong)s.Params!["seed"]!).ToList();
        var splitSeeds = splitsA.Select(s => (ulong)s.Params!["seed"]!).ToList();
        Assert.Equal(8, sampleSeeds.Concat(splitSeeds).Distinct().Count());
        Assert.Equal(SeededRandom.For(3, "sample/run-1").NextUInt64() >> 1, sampleSeeds[0]);
        Assert.Equal(SeededRandom.For(3, "split/run-4").NextUInt64() >> 1, splitSeeds[3]);
        Assert.All(samples, s => Assert.Equal(1500, (long)s.Params!["rows"]!));

        // Deleting the cache and running again gives the same files.
        Directory.Delete(a.CacheRoot, recursive: true);
        a.RunAll();
        Assert.Equal(splitsB.Select(TestCsv), a.Flow().Run("split").Select(TestCsv));
    }

    [Fact]
    public void A_fifth_resampled_run_computes_only_the_fifth_runs_units()
    {
        using var p = Project(runs: 4, models: true);
        p.RunAll(last: "train");
        var from = p.Log.Count;
        p.Experiment["runs"] = Resampled(5);
        p.Save();
        Assert.Equal(["sample", "split", "embed", "train"], p.RunAll(last: "train"));
        Assert.Equal(["embed [r16/run-5]", "sample [run-5]", "split [run-5]", "train [r16-ft/run-5]", "train [r16/run-5]"], p.Ran(from));
        Assert.Equal(1 + 1 + 4 + 4 + 2 + 4 + 8, // download, filter-spanish, 4 samples, 4 splits, 2 models, 4 embeds, 8 trained runs
            p.Log.Skip(from).Count(l => l.Contains(": cached (")));
    }

    [Fact]
    public void Train_run_k_reads_split_run_k_and_embed_model_run_k()
    {
        using var p = Project(runs: 2, models: true);
        p.RunAll(last: "train");
        var splits = p.Flow().Run("split").ToDictionary(s => s.Unit, s => s.Key);
        var embeds = p.Flow().Run("embed").ToDictionary(s => s.Unit, s => s.Key);
        Assert.Equal(["r16/run-1", "r16/run-2"], embeds.Keys.Order());
        foreach (var train in p.Flow().Run("train"))
        {
            var run = train.Unit[(train.Unit.LastIndexOf('/') + 1)..];
            Assert.Equal(splits[run], train.Inputs["test.csv"].Key);
            if (train.Unit.StartsWith("r16/")) Assert.Equal(embeds[train.Unit], train.Inputs["test.npy"].Key);
        }
    }

    [Fact]
    public void Without_resample_the_keys_are_those_of_one_shared_split()
    {
        // Keys computed before runs.resample existed: the paired design must keep them. (Train's keys are those of
        // its version 3, whose key holds the MLP's settings as one record and no longer the run's labels; Model's those of its
        // version 3, bumped when nnlm models began to take their recipe from the graph (v2) and then from a TF2 object graph
        // without a signature (v3), which left a random model's bytes and so Embed's key as they were.)
        var expected = new Dictionary<string, string>
        {
            ["download"] = "badecaf89063af82", ["filter-spanish"] = "603254b6ef3e4097", ["sample"] = "a13d42478971efbd", ["split"] = "27aa9e8d565f4d6a",
            ["model [r16]"] = "66e5cd02423b1178", ["embed [r16]"] = "37e2d9d92c984fa0",
            ["train [r16/run-1]"] = "7f0c5d58b50ec14b", ["train [r16/run-2]"] = "94f3cae152ed4709",
        };
        foreach (JsonNode runs in new JsonNode[] { 2, new JsonObject { ["count"] = 2, ["resample"] = false } })
        {
            using var p = new TestProject();
            p.Experiment["train"] = new JsonObject { ["epochs"] = 1, ["batchSize"] = 128, ["hidden"] = 16, ["threads"] = 1, ["seed"] = 9 };
            p.Experiment["runs"] = runs;
            p.Experiment["models"] = new JsonArray(new JsonObject { ["name"] = "r16", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3 });
            p.Save();
            p.RunAll(last: "train");
            var keys = p.Flow().Status().Where(s => s.State == "up to date")
                .ToDictionary(s => s.Unit == "" ? s.Step : $"{s.Step} [{s.Unit}]", s => s.Key!);
            Assert.Equal(expected.OrderBy(k => k.Key), keys.OrderBy(k => k.Key));
        }
    }

    [Fact]
    public void Run_filters_the_per_run_units_of_every_per_run_step()
    {
        using var p = Project(runs: 3, models: true);
        p.RunAll(last: "filter-spanish");
        foreach (var step in new[] { "sample", "split", "model", "embed", "train" })
            p.Flow(runs: [2]).Run(step);
        // r16-ft's table is r16's (same parameters), so one model entry serves both.
        Assert.Equal(["embed [r16/run-2]", "model [r16]", "sample [run-2]", "split [run-2]", "train [r16-ft/run-2]", "train [r16/run-2]"],
            p.Ran(0).Where(u => u.Contains('[')));
        var e = Assert.Throws<LmevException>(() => p.Flow(runs: [4]).Run("sample"));
        Assert.Contains("--run 4: expected run numbers from 1 to 3", e.Message);
    }

    [Fact]
    public void A_missing_run_names_the_command_that_makes_it()
    {
        using var p = Project(runs: 2);
        p.RunAll(last: "sample");
        foreach (var f in p.Flow().Run("sample").Where(s => s.Unit == "run-2")) Directory.Delete(f.Directory, recursive: true);
        var e = Assert.Throws<LmevException>(() => p.Flow().Run("split"));
        Assert.Contains("needs the output of 'sample' for run-2", e.Message);
        Assert.Contains("`lmev sample --experiment demo --run 2`", e.Message);
    }

    [Fact]
    public void Status_and_gc_see_each_runs_units()
    {
        using var p = Project(runs: 2);
        p.RunAll();
        var status = p.Flow().Status();
        Assert.Equal(["run-1", "run-2"], status.Where(s => s.Step == "split").Select(s => s.Unit));
        Assert.All(status.Where(s => s.Step is "sample" or "split"), s => Assert.Equal("up to date", s.State));

        p.Experiment["sample"]!["rows"] = 1200;
        p.Save();
        status = p.Flow().Status();
        Assert.All(status.Where(s => s.Step == "sample"), s => Assert.Contains("params.rows changed: 1500 → 1200", s.Reasons));
        Assert.All(status.Where(s => s.Step == "split"), s => Assert.Equal("stale", s.State));
        Assert.Contains(status, s => s.Step == "split" && s.Reasons.Contains("upstream 'sample [run-2]' is not up to date"));

        p.RunAll();
        var flow = p.Flow();
        var removed = flow.Cache.Gc(flow.Reachable().ToHashSet(), dryRun: false).Removed;
        Assert.Equal(["sample", "sample", "split", "split"], removed.Select(r => r.Stage).Order());
        Assert.Empty(p.RunAll());
    }

    [Theory]
    [InlineData("\"four\"", "expected a number of runs (\"runs\": 4) or an object")]
    [InlineData("2.5", "found 2.5")]
    [InlineData("{ \"count\": 4, \"resampel\": true }", "runs: unknown key 'resampel'; expected 'count' and 'resample'")]
    [InlineData("{ \"count\": 4, \"resample\": \"yes\" }", "runs.resample: expected true or false, found a string")]
    [InlineData("{ \"count\": 0, \"resample\": true }", "runs.count: expected at least 1, found 0")]
    public void A_bad_runs_value_is_rejected_saying_what_was_expected(string runs, string message)
    {
        using var p = new TestProject();
        p.Experiment["runs"] = JsonNode.Parse(runs);
        p.Save();
        var e = Assert.Throws<LmevException>(() => p.Flow());
        Assert.Contains("demo.json", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Runs_as_an_object_reads_count_and_resample()
    {
        using var p = new TestProject();
        p.Experiment["runs"] = Resampled(3);
        p.Save();
        var e = Experiment.Load(p.Root, "demo");
        Assert.Equal((3, true), (e.Runs, e.Resample));
        p.Experiment["runs"] = 5;
        p.Save();
        e = Experiment.Load(p.Root, "demo");
        Assert.Equal((5, false), (e.Runs, e.Resample));
    }
}
