using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models;

public class BagOfEmbeddingsModelTests
{
    private const int VocabularySize = 60, Buckets = 11, Dim = 12;

    private static string[] Vocabulary() => [.. Enumerable.Range(0, VocabularySize).Select(i => $"w{i}")];

    /// <summary>Writes a random model and its tokens.txt into <paramref name="dir"/>.</summary>
    private static (BagOfEmbeddingsModel Model, string OnnxPath, string VocabularyPath) Build(
        TempDir dir, NnlmTokenizerOptions options, ulong seed = 7, long externalDataThreshold = BagOfEmbeddingsModel.DefaultExternalDataThreshold)
    {
        var model = BagOfEmbeddingsModel.Random(VocabularySize, Buckets, Dim, seed, options);
        var onnx = Path.Combine(dir.Path, "model.onnx");
        var vocabulary = Path.Combine(dir.Path, "tokens.txt");
        File.WriteAllText(vocabulary, string.Join("\n", Vocabulary()) + "\n");
        model.WriteOnnx(onnx, externalDataThreshold);
        return (model, onnx, vocabulary);
    }

    /// <summary>Random titles: vocabulary words, unknown words, punctuation, double and edge spaces, empty titles.</summary>
    private static List<string> RandomTitles(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        string[] extras = ["perro", "¡hola!", "niño,", "3.5", "", "canción", "w7.", "W7"];
        var titles = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var words = Enumerable.Range(0, random.NextInt(12)).Select(_ =>
                random.NextInt(3) == 0 ? extras[random.NextInt(extras.Length)] : $"w{random.NextInt(VocabularySize)}");
            var title = string.Join(random.NextInt(5) == 0 ? "  " : " ", words);
            if (random.NextInt(7) == 0) title = " " + title + " ";
            titles.Add(title);
        }
        titles.AddRange(["", "   ", "w1", "¡!"]);
        return titles;
    }

    /// <summary>The reference: gather each token's row, sum, divide by sqrt(count) — in double, in plain C#.</summary>
    private static float[] Reference(BagOfEmbeddingsModel model, NnlmTokenizer tokenizer, string title)
    {
        var table = model.Table.Span;
        var ids = tokenizer.Tokenize(title);
        var sum = new double[Dim];
        foreach (var id in ids)
            for (var d = 0; d < Dim; d++) sum[d] += table[(int)(id * Dim + d)];
        return [.. sum.Select(s => ids.Length == 0 ? 0f : (float)(s / Math.Sqrt(ids.Length)))];
    }

    private static void AssertMatchesReference(BagOfEmbeddingsModel model, BagOfEmbeddingsEmbedder embedder, IReadOnlyList<string> titles)
    {
        var embeddings = embedder.Embed(titles);
        Assert.Equal(titles.Count, embeddings.GetLength(0));
        Assert.Equal(Dim, embeddings.GetLength(1));
        for (var i = 0; i < titles.Count; i++)
        {
            var expected = Reference(model, embedder.Tokenizer, titles[i]);
            for (var d = 0; d < Dim; d++)
                Assert.True(Math.Abs(embeddings[i, d] - expected[d]) <= 1e-5 * Math.Max(1.0, Math.Abs(expected[d])),
                    $"title {i} \"{titles[i]}\" dim {d}: ONNX {embeddings[i, d]}, reference {expected[d]}");
        }
    }

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    [InlineData(false, false, true)]
    [InlineData(true, false, false)]
    public void Should_Equal_A_Plain_Gather_And_Sqrtn_Sum_On_Random_Tables_And_Titles(bool normalize, bool keepEmpty, bool fill)
    {
        using var dir = new TempDir();
        var (model, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions(normalize, keepEmpty, fill), seed: (ulong)(normalize ? 1 : 2) + (keepEmpty ? 10UL : 20UL));
        using var embedder = BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(IntraOpThreads: 1, Log: _ => { }));
        Assert.Equal(new NnlmTokenizerOptions(normalize, keepEmpty, fill), embedder.Tokenizer.Options);
        AssertMatchesReference(model, embedder, RandomTitles(200, seed: 99));
    }

    [Theory]
    [InlineData(long.MaxValue)] // table inside model.onnx
    [InlineData(0L)]            // table in model.onnx.data
    public void Should_Load_Back_The_Spec_And_Table_It_Wrote(long externalDataThreshold)
    {
        using var dir = new TempDir();
        var (model, onnx, _) = Build(dir, new NnlmTokenizerOptions(Normalize: true), externalDataThreshold: externalDataThreshold);
        var loaded = BagOfEmbeddingsModel.Load(onnx);
        Assert.Equal(model.Spec with { VocabularySha256 = null }, loaded.Spec with { VocabularySha256 = null });
        Assert.Equal(model.Table.ToArray(), loaded.Table.ToArray());
    }

    [Fact]
    public void Should_Refuse_To_Load_A_File_That_Is_Not_A_Model_Naming_It()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "model.onnx");
        File.WriteAllBytes(path, [0xff, 0xff, 0xff, 0x0f, 0x01]);
        var e = Assert.Throws<LmevException>(() => BagOfEmbeddingsModel.Load(path));
        Assert.Contains("model.onnx", e.Message);
    }

    [Fact]
    public void Should_Embed_A_Title_Without_Tokens_As_Zeros()
    {
        using var dir = new TempDir();
        var (_, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions(KeepEmptyTokens: false, FillEmptyRows: false));
        using var embedder = BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(Log: _ => { }));
        var embeddings = embedder.Embed(["", "  ", "w3"]);
        for (var d = 0; d < Dim; d++)
        {
            Assert.Equal(0f, embeddings[0, d]);
            Assert.Equal(0f, embeddings[1, d]);
        }
        Assert.Contains(Enumerable.Range(0, Dim), d => embeddings[2, d] != 0f);
    }

    [Fact]
    public void Should_Embed_One_Token_As_Its_Row()
    {
        using var dir = new TempDir();
        var (model, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions());
        using var embedder = BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(Log: _ => { }));
        var embedding = embedder.Embed(["w5"]);
        Assert.Equal(model.Table.Span.Slice(5 * Dim, Dim).ToArray(), Enumerable.Range(0, Dim).Select(d => embedding[0, d]));
    }

    [Fact]
    public void Should_Run_On_The_Cpu_Provider_In_A_Cpu_Build()
    {
        using var dir = new TempDir();
        var (_, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions());
        using var embedder = BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(UseCuda: false));
        Assert.Equal(OnnxEmbedder.CpuProvider, embedder.ExecutionProvider);
        Assert.Equal("cpu", embedder.Device);
        Assert.Empty(embedder.Embed([]));
    }

    [Fact]
    public void Should_Say_In_One_Log_Line_Where_It_Runs_When_Cuda_Is_Asked_For()
    {
        using var dir = new TempDir();
        var (_, onnx, _) = Build(dir, new NnlmTokenizerOptions());
        var log = new List<string>();
        using var session = OnnxEmbedder.Open(onnx, new OnnxEmbedderOptions(UseCuda: true, Log: log.Add));
        if (!OnnxEmbedder.IsCudaBuild)
        {
            Assert.Equal(OnnxEmbedder.CpuProvider, session.ExecutionProvider);
            Assert.Empty(log);
        }
        else if (session.ExecutionProvider == OnnxEmbedder.CudaProvider)
        {
            Assert.Equal("cuda:0", session.Device);
            Assert.Contains("runs on CUDA device 0", Assert.Single(log));
        }
        else
        {
            Assert.Equal("cpu", session.Device);
            Assert.Contains("CUDA unavailable", Assert.Single(log));
        }
    }

    [Fact]
    public void Should_Put_A_Large_Table_In_External_Data_Beside_The_Model_By_Relative_Path()
    {
        using var dir = new TempDir();
        var (model, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions(), externalDataThreshold: 0);
        var data = BagOfEmbeddingsModel.ExternalDataPath(onnx);
        Assert.Equal((VocabularySize + Buckets + 1) * Dim * sizeof(float), new FileInfo(data).Length);
        Assert.True(new FileInfo(onnx).Length < 4096);

        // The reference is by file name: the pair still loads after moving the folder.
        using var moved = new TempDir();
        foreach (var file in new[] { onnx, data, vocabulary }) File.Copy(file, Path.Combine(moved.Path, Path.GetFileName(file)));
        using var embedder = BagOfEmbeddingsEmbedder.Open(Path.Combine(moved.Path, "model.onnx"), Path.Combine(moved.Path, "tokens.txt"), new OnnxEmbedderOptions(Log: _ => { }));
        AssertMatchesReference(model, embedder, RandomTitles(50, seed: 5));
    }

    [Fact]
    public void Should_Record_The_Spec_In_The_Model_Metadata()
    {
        using var dir = new TempDir();
        var options = new NnlmTokenizerOptions(Normalize: true, KeepEmptyTokens: false);
        var (model, onnx, _) = Build(dir, options);
        using var session = OnnxEmbedder.Open(onnx, new OnnxEmbedderOptions(Log: _ => { }));
        Assert.Equal(model.Spec, BagOfEmbeddingsSpec.FromMetadata(session.Metadata, onnx));
        Assert.Equal([BagOfEmbeddingsModel.IdsInput, BagOfEmbeddingsModel.ScaleInput], session.InputNames);
    }

    [Fact]
    public void Should_Make_The_Same_Random_Table_From_The_Same_Seed()
    {
        var a = BagOfEmbeddingsModel.Random(100, 10, 50, seed: 42).Table.ToArray();
        var b = BagOfEmbeddingsModel.Random(100, 10, 50, seed: 42).Table.ToArray();
        var c = BagOfEmbeddingsModel.Random(100, 10, 50, seed: 43).Table.ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var limit = (float)Math.Sqrt(3.0 / 50);
        Assert.All(a, v => Assert.InRange(v, -limit, limit));
        Assert.InRange(a.Average(v => (double)v * v) * 50, 0.9, 1.1); // rows of unit expected norm
    }

    [Fact]
    public void Should_Refuse_A_Table_Of_The_Wrong_Size()
    {
        var spec = new BagOfEmbeddingsSpec(3, 2, 4, new NnlmTokenizerOptions());
        Assert.Throws<ArgumentException>(() => new BagOfEmbeddingsModel(spec, new float[19]));
    }

    [Fact]
    public void Should_Refuse_A_Truncated_Model_Naming_The_File()
    {
        using var dir = new TempDir();
        var (_, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions());
        var bytes = File.ReadAllBytes(onnx);
        File.WriteAllBytes(onnx, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<LmevException>(() => BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(Log: _ => { })));
        Assert.Contains(onnx, error.Message);
        Assert.Contains("truncated or corrupt", error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Corrupt_Model_Naming_The_File()
    {
        using var dir = new TempDir();
        var onnx = Path.Combine(dir.Path, "model.onnx");
        File.WriteAllText(onnx, "<html>not a model</html>");
        var error = Assert.Throws<LmevException>(() => OnnxEmbedder.Open(onnx, new OnnxEmbedderOptions(Log: _ => { })));
        Assert.Contains(onnx, error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Model_Whose_External_Data_Is_Missing_Naming_The_File()
    {
        using var dir = new TempDir();
        var (_, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions(), externalDataThreshold: 0);
        File.Delete(BagOfEmbeddingsModel.ExternalDataPath(onnx));
        var error = Assert.Throws<LmevException>(() => BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(Log: _ => { })));
        Assert.Contains(onnx, error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Missing_Model_Naming_The_File()
    {
        var onnx = Path.Combine(Path.GetTempPath(), "lmev-missing-" + Guid.NewGuid().ToString("N"), "model.onnx");
        var error = Assert.Throws<LmevException>(() => OnnxEmbedder.Open(onnx));
        Assert.Contains(onnx, error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Vocabulary_Whose_Size_Disagrees_With_The_Table()
    {
        using var dir = new TempDir();
        var (_, onnx, vocabulary) = Build(dir, new NnlmTokenizerOptions());
        File.AppendAllText(vocabulary, "extra\n");
        var error = Assert.Throws<LmevException>(() => BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(Log: _ => { })));
        Assert.Contains(vocabulary, error.Message);
        Assert.Contains($"{VocabularySize + 1}", error.Message);
        Assert.Contains($"{VocabularySize}", error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Vocabulary_Other_Than_The_One_Recorded()
    {
        using var dir = new TempDir();
        var vocabulary = Path.Combine(dir.Path, "tokens.txt");
        File.WriteAllText(vocabulary, "a\nb\n");
        var spec = new BagOfEmbeddingsSpec(2, 3, 4, new NnlmTokenizerOptions(), Hashing.Sha256OfFile(vocabulary));
        var onnx = Path.Combine(dir.Path, "model.onnx");
        new BagOfEmbeddingsModel(spec, new float[5 * 4]).WriteOnnx(onnx);
        using (BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(Log: _ => { }))) { }

        File.WriteAllText(vocabulary, "a\nc\n");
        var error = Assert.Throws<LmevException>(() => BagOfEmbeddingsEmbedder.Open(onnx, vocabulary, new OnnxEmbedderOptions(Log: _ => { })));
        Assert.Contains(vocabulary, error.Message);
        Assert.Contains("SHA-256", error.Message);
    }
}
