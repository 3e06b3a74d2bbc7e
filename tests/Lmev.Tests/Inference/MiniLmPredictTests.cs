using System.Text.Json.Nodes;
using Lmev.Inference;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Inference;

/// <summary>
/// A frozen MiniLM run (WordPiece, the encoder, mean pooling, L2, then the MLP): `lmev predict` gives its test predictions, and its
/// export holds the encoder, the pooling and the MLP in one graph from token ids. Small: 100 test titles, one epoch.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class MiniLmPredictTests
{
    [Fact]
    public void A_frozen_minilm_run_predicts_its_test_predictions_and_its_export_holds_the_encoder_and_the_mlp()
    {
        using var p = new TestProject(demoRows: 2000, sampleRows: 500, testRows: 100);
        p.Experiment["train"] = new JsonObject { ["epochs"] = 1, ["batchSize"] = 64, ["hidden"] = 16, ["threads"] = 1, ["seed"] = 9 };
        p.Experiment["runs"] = 1;
        p.Experiment["models"] = new JsonArray(new JsonObject { ["name"] = "minilm", ["kind"] = "minilm", ["language"] = "en", ["maxTokens"] = 32 });
        p.Save();
        p.RunAll(last: "train");
        var run = TrainedRuns.Locate(p.Root, p.CacheRoot, "demo", "minilm", RunChoice.Best, _ => { });
        Assert.Equal(RunKind.FrozenTransformer, run.Kind);
        Assert.Equal(new EmbedSettings("minilm", 1024, 32, true), run.Embed);
        var test = Manifest.Read(Path.Combine(p.CacheRoot, run.TrainEntry)).Inputs["test.csv"];
        var titles = Prediction.ReadCsv(Path.Combine(p.CacheRoot, test.Stage, test.Key, test.File), "title");

        using var torch = TorchRunClassifier.Open(run, useCuda: false, threads: 1);
        var a = torch.Score(titles);
        var expected = Prediction.ReadCsv(Path.Combine(run.Folder, "test-predictions.csv"), "predicted");
        Assert.Equal(expected, Enumerable.Range(0, titles.Count).Select(i => run.Classes[a.Top(i, 1)[0]]));

        using var dir = new TempDir();
        var onnxPath = Path.Combine(dir.Path, "minilm.onnx");
        ClassifierExport.Write(run, onnxPath);
        using var onnx = OnnxRunClassifier.Open(onnxPath, useCuda: false);
        Assert.Equal(TokenizerDescription.WordPieceKind, onnx.Tokens.Kind);
        Assert.Equal(32, onnx.Tokens.WordPiece!.MaxTokens);
        var b = onnx.Score(titles);
        for (var i = 0; i < titles.Count; i++)
        {
            Assert.True(a.Top(i, 1)[0] == b.Top(i, 1)[0], $"title {i} '{titles[i]}': top-1 differs");
            for (var c = 0; c < a.Classes; c++)
                Assert.True(Math.Abs(a.Probabilities[i * a.Classes + c] - b.Probabilities[i * b.Classes + c]) <= 1e-5,
                    $"title {i}, class {c}: {a.Probabilities[i * a.Classes + c]} vs {b.Probabilities[i * b.Classes + c]}");
        }
    }
}
