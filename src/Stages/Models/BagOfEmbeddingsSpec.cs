using System.Globalization;

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
        return new BagOfEmbeddingsSpec(
            Int("lmev.vocabulary_size"), Int("lmev.num_oov_buckets"), Int("lmev.dim"),
            new NnlmTokenizerOptions(Bool("lmev.tokenizer.normalize"), Bool("lmev.tokenizer.keep_empty_tokens"), Bool("lmev.tokenizer.fill_empty_rows")),
            metadata.TryGetValue("lmev.vocabulary_sha256", out var sha) ? sha : null);
    }
}
