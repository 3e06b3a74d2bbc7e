using System.Text.Json.Nodes;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Pipeline.Transfer;
using Lmev.Tests.Support;
using Lmev.Contracts;

namespace Lmev.Tests.Transfer;

/// <summary>
/// The study workflow's fan-out, played by four project folders with caches of their own that share
/// nothing but exports: prepare, one train job per model, report. Its report must be the one a single
/// folder makes running everything in sequence, training times aside.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class FanOutTests
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
            // Training times masked, the published record (which entries, by key) left out: lmev-actions' comparison, which CI also
            // applies to the study workflow's report against a sequential run.
            var difference = Lmev.Workflows.ReportComparison.Difference(Path.Combine(sequential.Root, "report"), Path.Combine(report.Root, "report"));
            Assert.True(difference is null, $"the fan-out's report differs from the sequential run's: {difference}");
            Assert.All(report.Flow().Status(), s => Assert.Equal("up to date", s.State));
        }
        finally
        {
            foreach (var e in exports) File.Delete(e);
        }
    }
}
