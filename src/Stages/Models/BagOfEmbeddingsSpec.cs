using System.Globalization;
using System.Text.Json;

namespace Lmev.Models;

/// <summary>
/// What a bag-of-embeddings table is: its rows (vocabulary, then OOV buckets), its width and the tokenisation
/// it expects. Written into the ONNX file's metadata, read back before embedding.
/// </summary>
/// <param name="VocabularySha256">SHA-256 of the <c>tokens.txt</c> the table was built with, when there is one.</param>
public sealed record BagOfEmbeddingsSpec(
    int VocabularySize, int NumOovBuckets, int Dim, NnlmTokenizerOptions Tokenizer, string? VocabularySha256 = null)
{
    public const string Kind = "bag-of-embeddings";

    /// <summary>TensorFlow's combiners (<c>embedding_lookup_sparse</c>): the sum of a title's rows divided by √n, by n, or not.</summary>
    public const string SqrtN = "sqrtn", Mean = "mean", Sum = "sum";

    /// <summary><see cref="SqrtN"/> (the NNLM modules'), <see cref="Mean"/> or <see cref="Sum"/>.</summary>
    public string Combiner { get; init; } = SqrtN;

    /// <summary>What a title of <paramref name="tokens"/> tokens multiplies its summed rows by (0 for none: zeros).</summary>
    public float Scale(int tokens) => tokens == 0 ? 0f : Combiner switch
    {
        Mean => (float)(1.0 / tokens),
        Sum => 1f,
        _ => (float)(1.0 / Math.Sqrt(tokens)),
    };

    /// <summary>Rows a tokeniser may index; the table has one more, the all-zero padding row.</summary>
    public long RowCount => (long)VocabularySize + NumOovBuckets;

    /// <summary>The id that pads a short title in a batch: the last row of the table, all zeros.</summary>
    public long PaddingId => RowCount;

    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["lmev.kind"] = Kind,
            ["lmev.vocabulary_size"] = VocabularySize.ToString(CultureInfo.InvariantCulture),
            ["lmev.num_oov_buckets"] = NumOovBuckets.ToString(CultureInfo.InvariantCulture),
            ["lmev.dim"] = Dim.ToString(CultureInfo.InvariantCulture),
            ["lmev.padding_id"] = PaddingId.ToString(CultureInfo.InvariantCulture),
            ["lmev.tokenizer.normalize"] = Tokenizer.Normalize ? "true" : "false",
            ["lmev.tokenizer.keep_empty_tokens"] = Tokenizer.KeepEmptyTokens ? "true" : "false",
            ["lmev.tokenizer.fill_empty_rows"] = Tokenizer.FillEmptyRows ? "true" : "false",
        };
        if (VocabularySha256 is not null) metadata["lmev.vocabulary_sha256"] = VocabularySha256;
        // Written only when used, so that a model without them keeps its bytes.
        if (Combiner != SqrtN) metadata["lmev.combiner"] = Combiner;
        if (!Tokenizer.IsLegacy)
            metadata["lmev.tokenizer.recipe"] = JsonSerializer.Serialize(
                new Recipe(Tokenizer.Rewrites, Tokenizer.Split, Tokenizer.TokenRewrites, Tokenizer.FillToken), Pipeline.CanonicalJson.Options);
        return metadata;
    }

    /// <summary>Reads a spec back from model metadata; <paramref name="modelPath"/> only names the file in errors.</summary>
    public static BagOfEmbeddingsSpec FromMetadata(IReadOnlyDictionary<string, string> metadata, string modelPath)
    {
        string Get(string key) => metadata.TryGetValue(key, out var value) ? value
            : throw new Pipeline.LmevException(
                $"{modelPath}: metadata key '{key}' is missing. Expected a bag-of-embeddings model written by lmev " +
                $"(keys present: {(metadata.Count == 0 ? "none" : string.Join(", ", metadata.Keys.Order(StringComparer.Ordinal)))}); rebuild the model.");
        int Int(string key) => int.TryParse(Get(key), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new Pipeline.LmevException($"{modelPath}: metadata '{key}' is '{Get(key)}', expected a non-negative integer; rebuild the model.");
        bool Bool(string key) => Get(key) switch
        {
            "true" => true,
            "false" => false,
            var other => throw new Pipeline.LmevException($"{modelPath}: metadata '{key}' is '{other}', expected true or false; rebuild the model."),
        };

        if (Get("lmev.kind") != Kind)
            throw new Pipeline.LmevException($"{modelPath}: model kind is '{Get("lmev.kind")}', expected '{Kind}'.");
        var tokenizer = new NnlmTokenizerOptions(Bool("lmev.tokenizer.normalize"), Bool("lmev.tokenizer.keep_empty_tokens"), Bool("lmev.tokenizer.fill_empty_rows"));
        if (metadata.TryGetValue("lmev.tokenizer.recipe", out var json))
        {
            Recipe recipe;
            try { recipe = JsonSerializer.Deserialize<Recipe>(json, Pipeline.CanonicalJson.Options) ?? throw new JsonException("null"); }
            catch (JsonException e)
            {
                throw new Pipeline.LmevException($"{modelPath}: metadata 'lmev.tokenizer.recipe' is not the JSON lmev writes ({e.Message}); rebuild the model.", e);
            }
            tokenizer = tokenizer with { Rewrites = recipe.Rewrites, Split = recipe.Split, TokenRewrites = recipe.TokenRewrites, FillToken = recipe.FillToken };
        }
        var combiner = metadata.TryGetValue("lmev.combiner", out var c) ? c : SqrtN;
        if (combiner is not (SqrtN or Mean or Sum))
            throw new Pipeline.LmevException($"{modelPath}: metadata 'lmev.combiner' is '{combiner}', expected '{SqrtN}', '{Mean}' or '{Sum}'; rebuild the model.");
        return new BagOfEmbeddingsSpec(
            Int("lmev.vocabulary_size"), Int("lmev.num_oov_buckets"), Int("lmev.dim"), tokenizer,
            metadata.TryGetValue("lmev.vocabulary_sha256", out var sha) ? sha : null) { Combiner = combiner };
    }

    /// <summary>The graph-read part of a tokeniser, as the model file records it.</summary>
    private sealed record Recipe(IReadOnlyList<TextRewrite> Rewrites, SplitRule? Split, IReadOnlyList<TextRewrite> TokenRewrites, string FillToken);
}
