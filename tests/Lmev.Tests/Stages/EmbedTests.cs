using Lmev.Flow;
using System.Text.Json.Nodes;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Pipeline.Npy;
using Lmev.Tests.Support;

namespace Lmev.Tests.Stages;

public sealed class EmbedTests
{
    private static TestProject WithModels(long sampleRows = 1500, int testRows = 200, params JsonObject[] models)
    {
        var project = new TestProject(sampleRows: sampleRows, testRows: testRows);
        project.Experiment["models"] = new JsonArray(models.Select(m => (JsonNode)m).ToArray());
        project.Save();
        return project;
    }

    private static JsonObject Random(string name, int dim, bool normalization = false) =>
        new() { ["name"] = name, ["kind"] = "random", ["dim"] = dim, ["normalization"] = normalization, ["buckets"] = 4096, ["seed"] = 5 };


    [Fact]
    public void Each_model_gets_one_npy_per_split_row_aligned_with_the_split_files()
    {
        using var p = WithModels(models: [Random("r8", 8), Random("r16n", 16, normalization: true)]);
        p.RunAll(last: "embed");
        var split = p.Flow().Run("split")[0];
        foreach (var embed in p.Flow().Run("embed"))
        {
            var dim = embed.Unit == "r8" ? 8 : 16;
            foreach (var name in new[] { "train", "val", "test" })
            {
                var (values, rows, columns) = NpyReader.Read(Path.Combine(embed.Directory, name + ".npy"));
                Assert.Equal((long)split.Report[name + "Rows"]!, rows);
                Assert.Equal(dim, columns);
                Assert.All(values, v => Assert.True(float.IsFinite(v)));
            }
            Assert.Equal("CPUExecutionProvider", (string)embed.Report["executionProvider"]!);
            Assert.Equal("cpu", embed.Device);
            Assert.True(embed.Versions.ContainsKey("onnxruntime"));
        }
    }

    [Fact]
    public void The_vectors_are_those_of_a_plain_gather_and_sqrtn_sum_over_the_models_table()
    {
        using var p = WithModels(models: [Random("r8", 8)]);
        p.RunAll(last: "embed");
        var model = p.Flow().Run("model")[0];
        var embed = p.Flow().Run("embed")[0];
        var titles = new List<string>();
        using (var reader = Lmev.Pipeline.Csv.CsvRowReader.Open(Path.Combine(p.Flow().Run("split")[0].Directory, "test.csv")))
            while (titles.Count < 50 && reader.NextNonBlank(out _)) titles.Add(reader.FieldString(0));
        var table = BagOfEmbeddingsModel.Random(0, 4096, 8, 5).Table.ToArray();
        var tokenizer = new NnlmTokenizer([], 4096, new NnlmTokenizerOptions());
        var (values, _, _) = NpyReader.Read(Path.Combine(embed.Directory, "test.npy"));
        for (var i = 0; i < titles.Count; i++)
        {
            var ids = tokenizer.Tokenize(titles[i]);
            for (var d = 0; d < 8; d++)
            {
                var expected = ids.Sum(id => (double)table[id * 8 + d]) / Math.Sqrt(ids.Length);
                Assert.Equal(expected, values[i * 8 + d], 1e-5);
            }
        }
        Assert.True(File.Exists(Path.Combine(model.Directory, "tokens.txt")));
    }

    [Fact]
    public void A_second_run_is_cached_and_changing_a_training_parameter_does_not_re_embed()
    {
        using var p = WithModels(models: [Random("r8", 8)]);
        p.RunAll(last: "embed");
        p.Experiment["train"]!["epochs"] = 2;
        p.Save();
        var before = p.Log.Count;
        p.Flow().Run("model");
        p.Flow().Run("embed");
        Assert.All(p.Log.Skip(before), l => Assert.DoesNotContain(": running (", l));
    }

    [Fact]
    public void A_corrupt_model_file_is_an_error_naming_it_and_nothing_is_published()
    {
        using var p = WithModels(models: [Random("r8", 8)]);
        p.RunAll(last: "model");
        var model = p.Flow().Run("model")[0];
        var onnx = Path.Combine(model.Directory, "model.onnx");
        var bytes = File.ReadAllBytes(onnx);
        File.WriteAllBytes(onnx, bytes[..(bytes.Length / 3)]); // truncated behind the cache's back
        var e = Assert.Throws<LmevException>(() => p.Flow().Run("embed"));
        Assert.Contains("model.onnx", e.Message);
        Assert.False(Directory.Exists(Path.Combine(p.CacheRoot, "embed")) && Directory.EnumerateDirectories(Path.Combine(p.CacheRoot, "embed")).Any());
    }

    [Fact]
    public void Two_names_for_the_same_table_share_one_model_entry_whatever_their_training_mode()
    {
        var frozen = Random("same", 8);
        var tuned = Random("same-fine-tune", 8);
        tuned["mode"] = "fine-tune";
        using var p = WithModels(models: [frozen, tuned]);
        p.RunAll(last: "split");
        var models = p.Flow().Run("model");
        Assert.Equal(models[0].Key, models[1].Key);
        Assert.Single(p.Log, l => l.StartsWith("model [") && l.Contains(": running ("));
        Assert.Equal(["same"], p.Flow().Run("embed").Select(m => m.Unit)); // a fine-tuned model needs no embeddings
    }

    [Fact]
    public void Only_the_models_asked_for_run()
    {
        using var p = WithModels(models: [Random("a", 4), Random("b", 4)]);
        p.RunAll(last: "split");
        Assert.Equal(["b"], p.Flow(models: ["b"]).Run("model").Select(m => m.Unit));
        var e = Assert.Throws<LmevException>(() => p.Flow(models: ["c"]).Run("model"));
        Assert.Contains("no model named 'c'", e.Message);
    }

    [Fact]
    public void The_minilm_embeds_through_the_flow_as_unit_vectors()
    {
        using var p = WithModels(sampleRows: 240, testRows: 40, models: [new JsonObject { ["name"] = "minilm", ["kind"] = "minilm", ["language"] = "en" }]);
        p.RunAll(last: "embed");
        var embed = p.Flow().Run("embed")[0];
        var (values, rows, columns) = NpyReader.Read(Path.Combine(embed.Directory, "test.npy"));
        Assert.Equal((40L, 384), (rows, columns));
        for (var r = 0; r < rows; r++)
            Assert.Equal(1.0, Math.Sqrt(values.AsSpan(r * 384, 384).ToArray().Sum(v => (double)v * v)), 1e-4);
    }

    [Fact]
    public void A_sentence_transformers_export_pinned_in_the_lock_embeds_like_the_packaged_minilm()
    {
        // Any BERT-style export with a vocab.txt: here the packaged MiniLM's own files, pinned as local sources.
        using var files = new TempDir();
        MiniLmModel.Extract(files.Path);
        using var p = WithModels(sampleRows: 240, testRows: 40, models:
        [
            new JsonObject { ["name"] = "minilm", ["kind"] = "minilm", ["language"] = "en" },
            new JsonObject { ["name"] = "export", ["kind"] = "transformer", ["language"] = "en", ["source"] = "export-onnx", ["vocabulary"] = "export-vocab" },
        ]);
        File.WriteAllText(Path.Combine(p.Root, DataLock.FileName), new JsonObject
        {
            ["sources"] = new JsonObject
            {
                ["export-onnx"] = new JsonObject { ["url"] = new Uri(Path.Combine(files.Path, "model.onnx")).AbsoluteUri, ["format"] = "onnx" },
                ["export-vocab"] = new JsonObject { ["url"] = Path.Combine(files.Path, "vocab.txt"), ["format"] = "txt" },
            },
        }.ToJsonString());
        p.RunAll(last: "embed");
        var embeds = p.Flow().Run("embed").ToDictionary(m => m.Unit);
        Assert.Equal(File.ReadAllBytes(Path.Combine(embeds["minilm"].Directory, "test.npy")), File.ReadAllBytes(Path.Combine(embeds["export"].Directory, "test.npy")));
        var locked = DataLock.Read(Path.Combine(p.Root, DataLock.FileName));
        Assert.Equal(Hashing.Sha256OfFile(Path.Combine(files.Path, "model.onnx")), locked.Sources["export-onnx"].Sha256); // trust on first use
        Assert.Contains(p.Log, l => l.Contains("'export-vocab' had no sha256; filled with"));
    }
}
