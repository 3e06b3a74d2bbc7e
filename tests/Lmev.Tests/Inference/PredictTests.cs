using System.Text.Json.Nodes;
using Lmev.Inference;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Pipeline.Transfer;
using Lmev.Tests.Support;

namespace Lmev.Tests.Inference;

/// <summary>
/// A small project trained once for the tests of `lmev predict` and `lmev export-onnx`: a frozen random table, its fine-tuned twin
/// and a fastText baseline, two runs each (so that there is a best one), two epochs.
/// </summary>
public sealed class TrainedProject : IDisposable
{
    public TrainedProject()
    {
        Project = new TestProject(demoRows: 4000, sampleRows: 1500, testRows: 200);
        Project.AddQuickModels(epochs: 2);
        var models = (JsonArray)Project.Experiment["models"]!;
        models.Add(new JsonObject { ["name"] = "ft", ["kind"] = "fasttext", ["dim"] = 16, ["buckets"] = 5000, ["epochs"] = 3, ["lr"] = 0.5, ["batchSize"] = 16 });
        Project.Experiment["runs"] = 2;
        Project.Save();
        Project.RunAll(last: "train");
        var train = Run("r16").TrainEntry;
        var test = Manifest.Read(Path.Combine(Project.CacheRoot, train)).Inputs["test.csv"];
        TestCsv = Path.Combine(Project.CacheRoot, test.Stage, test.Key, test.File);
    }

    public TestProject Project { get; }

    /// <summary>The split's test.csv the runs were scored on (the Train entry's input).</summary>
    public string TestCsv { get; }

    public TrainedRun Run(string model, int run = 1) =>
        TrainedRuns.Locate(Project.Root, Project.CacheRoot, "demo", model, new RunChoice(run), _ => { });

    public void Dispose() => Project.Dispose();
}

[Collection(TorchThreadsCollection.Name)]
public sealed class PredictTests(TrainedProject trained) : IClassFixture<TrainedProject>
{
    private TestProject P => trained.Project;

    private PredictRequest Request(string? model, string run = "1", string? input = null, string column = "title", int top = 1, string? onnx = null) =>
        new(P.Root, P.CacheRoot, "demo", model, RunChoice.Parse(run), Onnx: onnx, Input: input, TitleColumn: column, Top: top);

    private static List<string[]> Csv(string text)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, text);
            using var reader = CsvRowReader.Open(path);
            var rows = new List<string[]> { reader.Header };
            while (reader.NextNonBlank(out _)) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.FieldString).ToArray());
            return rows;
        }
        finally { File.Delete(path); }
    }

    private (string Stdout, List<string> Said) Predict(PredictRequest request, string stdin = "")
    {
        var said = new List<string>();
        using var output = new MemoryStream();
        Predictor.Predict(request, new StringReader(stdin), output, said.Add);
        return (System.Text.Encoding.UTF8.GetString(output.ToArray()), said);
    }

    [Theory]
    [InlineData("r16", RunKind.FrozenBag)]
    [InlineData("r16-ft", RunKind.FineTune)]
    [InlineData("ft", RunKind.FastText)]
    public void Predict_on_the_runs_own_test_titles_gives_its_test_predictions_and_the_onnx_export_agrees(string model, RunKind kind)
    {
        var run = trained.Run(model);
        Assert.Equal(kind, run.Kind);
        var (csv, _) = Predict(Request(model, input: trained.TestCsv));
        var predicted = Csv(csv);
        var expected = Csv(File.ReadAllText(Path.Combine(run.Folder, "test-predictions.csv")));
        Assert.Equal(["title", "predicted", "probability"], predicted[0]);
        Assert.Equal(201, predicted.Count);
        Assert.Equal(expected.Skip(1).Select(r => (r[0], r[2])), predicted.Skip(1).Select(r => (r[0], r[1])));

        using var dir = new TempDir();
        var onnxPath = Path.Combine(dir.Path, "classifier.onnx");
        var files = ClassifierExport.Write(run, onnxPath);
        Assert.Contains(Path.Combine(dir.Path, "classifier.tokenizer.json"), files);
        var titles = Prediction.ReadCsv(trained.TestCsv, "title");
        using var torch = TorchRunClassifier.Open(run, useCuda: false, threads: 1);
        using var onnx = OnnxRunClassifier.Open(onnxPath, useCuda: false);
        Assert.Equal(run.Classes, onnx.Classes);
        var a = torch.Score(titles);
        var b = onnx.Score(titles);
        for (var i = 0; i < titles.Count; i++)
        {
            Assert.True(a.Top(i, 1)[0] == b.Top(i, 1)[0], $"{model}: title {i} '{titles[i]}': top-1 {a.Top(i, 1)[0]} (TorchSharp) vs {b.Top(i, 1)[0]} (ONNX)");
            for (var c = 0; c < a.Classes; c++)
            {
                var (x, y) = (a.Probabilities[i * a.Classes + c], b.Probabilities[i * b.Classes + c]);
                Assert.True(Math.Abs(x - y) <= 1e-5, $"{model}: title {i}, class {c}: {x} (TorchSharp) vs {y} (ONNX)");
            }
        }
    }

    [Fact]
    public void The_tokenizer_json_alone_rebuilds_the_tokeniser_a_run_was_trained_with()
    {
        using var dir = new TempDir();
        var onnxPath = Path.Combine(dir.Path, "r16.onnx");
        ClassifierExport.Write(trained.Run("r16-ft"), onnxPath);
        var tokens = TokenizerDescription.Read(TokenizerDescription.PathFor(onnxPath));
        Assert.Equal(TokenizerDescription.NnlmKind, tokens.Kind);
        Assert.Equal(4096, tokens.Nnlm!.OovBuckets);
        Assert.Equal("sqrtn", tokens.Nnlm.Combiner);
        Assert.True(File.Exists(Path.Combine(dir.Path, tokens.Vocabulary)));
        // The options it describes are the model's own (the legacy flags, no recipe), so the tokeniser takes the same path.
        var model = Lmev.Models.BagOfEmbeddingsModel.Load(trained.Run("r16-ft").ModelFile!);
        Assert.Equal(model.Spec.Tokenizer, tokens.Nnlm.Options());

        ClassifierExport.Write(trained.Run("ft"), onnxPath);
        var ft = TokenizerDescription.Read(TokenizerDescription.PathFor(onnxPath)).FastText!;
        Assert.Equal((2, 5000, "</s>"), (ft.WordNgrams, ft.Buckets, ft.EndOfLine));
    }

    [Fact]
    public void Best_is_the_run_with_the_highest_validation_balanced_accuracy_and_is_said()
    {
        var said = new List<string>();
        var best = TrainedRuns.Locate(P.Root, P.CacheRoot, "demo", "r16", RunChoice.Best, said.Add);
        var bac = new[] { 1, 2 }.ToDictionary(k => k, k =>
        {
            var m = trained.Run("r16", k).Metrics;
            return m.Epochs[m.BestEpoch!.Value - 1].ValBalancedAccuracy;
        });
        Assert.Equal(bac.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key, best.Run);
        Assert.Contains(said, l => l.StartsWith($"best run: run-{best.Run}, validation balanced accuracy", StringComparison.Ordinal));
    }

    [Fact]
    public void Top_k_adds_the_next_classes_in_order_with_probabilities_that_fall()
    {
        var (csv, _) = Predict(Request("ft", top: 3), "Zapatillas Running Hombre\n\nCelular Samsung Galaxy 64gb\n");
        var rows = Csv(csv);
        Assert.Equal(["title", "predicted", "probability", "predicted_2", "probability_2", "predicted_3", "probability_3"], rows[0]);
        Assert.Equal(["Zapatillas Running Hombre", "", "Celular Samsung Galaxy 64gb"], rows.Skip(1).Select(r => r[0]));
        foreach (var row in rows.Skip(1))
        {
            var p = new[] { row[2], row[4], row[6] }.Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.True(p[0] >= p[1] && p[1] >= p[2] && p[2] > 0, string.Join(",", row));
            Assert.Equal(3, new[] { row[1], row[3], row[5] }.Distinct().Count());
        }
    }

    [Fact]
    public void An_unknown_title_column_says_which_columns_there_are()
    {
        var e = Assert.Throws<LmevException>(() => Predict(Request("ft", input: trained.TestCsv, column: "titel")));
        Assert.Equal($"{trained.TestCsv}:1: no column 'titel' (did you mean 'title'?); its columns: {string.Join(", ", Csv(File.ReadAllText(trained.TestCsv))[0])}; " +
            "name the titles' column with --title-column", e.Message);
    }

    [Fact]
    public void An_experiment_never_trained_and_a_model_not_trained_say_what_to_do()
    {
        File.Copy(Lmev.Flow.Experiment.FilePath(P.Root, "demo"), Lmev.Flow.Experiment.FilePath(P.Root, "other"), overwrite: true);
        try
        {
            var never = Assert.Throws<LmevException>(() => TrainedRuns.Locate(P.Root, P.CacheRoot, "other", "ft", RunChoice.Best, _ => { }));
            Assert.Equal("experiment 'other' has never been trained here: saved_models/other does not exist; train it first: " +
                "`dotnet cake --target=Train --experiment=other` (or `lmev train --experiment other --model ft` after its earlier steps)", never.Message);
        }
        finally { File.Delete(Lmev.Flow.Experiment.FilePath(P.Root, "other")); }
        var unknown = Assert.Throws<LmevException>(() => TrainedRuns.Locate(P.Root, P.CacheRoot, "dmeo", "ft", RunChoice.Best, _ => { }));
        Assert.Equal("experiment 'dmeo': no experiments/dmeo.json and no trained runs in saved_models/dmeo (did you mean 'demo'?); the experiments here: demo", unknown.Message);
        var model = Assert.Throws<LmevException>(() => TrainedRuns.Locate(P.Root, P.CacheRoot, "demo", "r61", RunChoice.Best, _ => { }));
        Assert.Equal("saved_models/demo: no runs of model 'r61' (did you mean 'r16'?); trained models: ft, r16, r16-ft; to train it: `lmev train --experiment demo --model r61`", model.Message);
        var run = Assert.Throws<LmevException>(() => TrainedRuns.Locate(P.Root, P.CacheRoot, "demo", "ft", new RunChoice(7), _ => { }));
        Assert.Equal("saved_models/demo/ft: no run-7; its runs: 1, 2 (or --run best)", run.Message);
    }

    [Fact]
    public void A_run_imported_without_its_weights_says_how_to_get_them()
    {
        // A train job's export (study.yml): the run without model.dat, the steps before it as manifests.
        var archive = Path.Combine(P.Root, "..", $"{Path.GetFileName(P.Root)}-train-ft.tar");
        CacheExport.Write(archive, P.Flow(models: ["ft"]).ExportSelections(["train"], ["download", "filter-spanish", "sample", "split"], new HashSet<string> { "model.dat" }));
        using var report = new TestProject(demoRows: 4000, sampleRows: 1500, testRows: 200);
        try
        {
            File.Copy(Lmev.Flow.Experiment.FilePath(P.Root, "demo"), Lmev.Flow.Experiment.FilePath(report.Root, "demo"), overwrite: true);
            new CacheImport(new StageCache(report.CacheRoot), report.Log.Add).Import([archive]);
            report.Flow(models: ["ft"]).Run("train");
            var e = Assert.Throws<LmevException>(() => TrainedRuns.Locate(report.Root, report.CacheRoot, "demo", "ft", new RunChoice(1), _ => { }));
            var key = Path.GetFileName(Directory.GetDirectories(Path.Combine(report.CacheRoot, "train")).Single(d => File.Exists(Path.Combine(d, PartialEntry.FileName)) &&
                File.ReadAllText(Path.Combine(d, "manifest.json")).Contains("\"unit\": \"ft/run-1\"")));
            Assert.Equal("saved_models/demo/ft/run-1: the run's weights (model.dat) were left behind when it was exported (`lmev cache export --omit model.dat`), " +
                $"so it cannot classify here; import an export of train/{key} made without --omit model.dat (`lmev cache import …`), " +
                "or train the run on this machine: `lmev train --experiment demo --model ft --run 1 --force`", e.Message);
            // As a user types it: the same one line, nothing on standard output.
            var (code, stdout, stderr) = LmevProcess.RunWithInput(report, "Zapatillas Running Hombre\n", "predict", "--model", "ft", "--run", "1");
            Assert.Equal((1, "", $"error: {e.Message}\n"), (code, stdout, stderr));
        }
        finally { File.Delete(archive); }
    }

    [Fact]
    public void A_model_entry_removed_from_the_cache_is_named_with_the_command_that_rebuilds_it()
    {
        using var copy = new TempDir();
        var run = trained.Run("r16-ft");
        // A copy of the cache without the Model entry, as after `lmev gc` of a model the experiment no longer has.
        var cache = Path.Combine(copy.Path, "cache");
        foreach (var dir in Directory.EnumerateDirectories(P.CacheRoot, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(P.CacheRoot, cache));
        foreach (var file in Directory.EnumerateFiles(P.CacheRoot, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(P.CacheRoot, cache));
        var modelEntry = Path.GetDirectoryName(run.ModelFile!)!.Replace(P.CacheRoot, cache);
        Directory.Delete(modelEntry, recursive: true);
        var e = Assert.Throws<LmevException>(() => TrainedRuns.Locate(P.Root, cache, "demo", "r16-ft", new RunChoice(1), _ => { }));
        Assert.Equal($"cache entry model/{Path.GetFileName(modelEntry)} (the table the run started from and its tokeniser: model.onnx) is not in the cache {cache} " +
            "(removed by `lmev gc`? another cache: --cache or LMEV_CACHE?); `lmev model --experiment demo --model r16-ft` rebuilds it while experiments/demo.json " +
            "still has this model with the same parameters", e.Message);
    }

    [Fact]
    public void The_typed_command_reads_standard_input_and_writes_the_csv_to_standard_output_and_a_bad_column_is_one_line()
    {
        var (code, stdout, stderr) = LmevProcess.RunWithInput(P, "Zapatillas Running Hombre\nCelular Samsung Galaxy 64gb\n",
            "predict", "--model", "ft", "--run", "best", "--top", "2");
        Assert.True(code == 0, stderr);
        var rows = Csv(stdout);
        Assert.Equal(3, rows.Count);
        Assert.Equal("predicted_2", rows[0][3]);
        Assert.Contains("best run: run-", stderr);

        (code, stdout, stderr) = LmevProcess.RunWithInput(P, "", "predict", "--model", "ft", trained.TestCsv, "--title-column", "name");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Matches(@"^error: \S+test\.csv:1: no column 'name'; its columns: [^\n]+; name the titles' column with --title-column\n$", stderr);
    }

    [Fact]
    public void The_typed_commands_say_a_bad_run_an_experiment_never_trained_no_classifier_and_a_missing_onnx_file_in_one_line()
    {
        var cases = new (string[] Args, string Line)[]
        {
            (["predict", "--model", "ft", "--run", "last"],
                "error: --run last: expected a run number (1, 2, …) or 'best' (the run with the highest validation balanced accuracy)"),
            (["predict", "--model", "ft", "--run", "7"], "error: saved_models/demo/ft: no run-7; its runs: 1, 2 (or --run best)"),
            (["export-onnx", "--model", "ft", "--run", "0", "-o", Path.Combine(P.Root, "x.onnx")],
                "error: --run 0: expected a run number (1, 2, …) or 'best' (the run with the highest validation balanced accuracy)"),
            (["predict", "--experiment", "untrained", "--model", "ft"],
                "error: experiment 'untrained' has never been trained here: saved_models/untrained does not exist; train it first: " +
                "`dotnet cake --target=Train --experiment=untrained` (or `lmev train --experiment untrained --model ft` after its earlier steps)"),
            (["predict"], "error: which classifier? name a trained run with --model (and --experiment, --run), or an exported one with --onnx FILE"),
            (["predict", "--onnx", Path.Combine(P.Root, "none.onnx")], $"error: --onnx {Path.Combine(P.Root, "none.onnx")}: no such file; " +
                "expected a classifier written by `lmev export-onnx --model M -o FILE.onnx` (or name a trained run with --model)"),
        };
        var experiment = Lmev.Flow.Experiment.FilePath(P.Root, "untrained");
        File.Copy(Lmev.Flow.Experiment.FilePath(P.Root, "demo"), experiment, overwrite: true);
        try
        {
            foreach (var (args, line) in cases)
            {
                var (code, stdout, stderr) = LmevProcess.RunWithInput(P, "Zapatillas Running Hombre\n", args);
                Assert.True((code, stdout, stderr) == (1, "", line + "\n"), $"lmev {string.Join(' ', args)}: exit {code}, stdout '{stdout}', stderr '{stderr}'");
            }
        }
        finally { File.Delete(experiment); }
        Assert.False(File.Exists(Path.Combine(P.Root, "x.onnx")));
    }

    [Fact]
    public void The_typed_export_and_predict_onnx_give_the_runs_test_predictions()
    {
        using var dir = new TempDir();
        var onnx = Path.Combine(dir.Path, "ft.onnx");
        var (code, _, stderr) = LmevProcess.RunWithInput(P, "", "export-onnx", "--model", "ft", "--run", "2", "-o", onnx);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(TokenizerDescription.PathFor(onnx)), stderr);
        var output = Path.Combine(dir.Path, "predictions.csv");
        (code, _, stderr) = LmevProcess.RunWithInput(P, "", "predict", "--onnx", onnx, trained.TestCsv, "-o", output);
        Assert.True(code == 0, stderr);
        var expected = Csv(File.ReadAllText(Path.Combine(trained.Run("ft", 2).Folder, "test-predictions.csv")));
        var predicted = Csv(File.ReadAllText(output));
        Assert.Equal(expected.Skip(1).Select(r => (r[0], r[2])), predicted.Skip(1).Select(r => (r[0], r[1])));
    }
}
