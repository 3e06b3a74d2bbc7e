using Lmev.Pipeline;

namespace Lmev.Models;

/// <summary>
/// A bag-of-embeddings model (<see cref="BagOfEmbeddingsModel"/>'s ONNX file) with its vocabulary: titles in,
/// embeddings combined as the model file says (sqrtn, mean or sum) out. The tokeniser options come from the model file.
/// </summary>
public sealed class BagOfEmbeddingsEmbedder : ITextEmbedder
{
    private readonly OnnxEmbedder _onnx;

    private BagOfEmbeddingsEmbedder(OnnxEmbedder onnx, BagOfEmbeddingsSpec spec, NnlmTokenizer tokenizer)
    {
        _onnx = onnx;
        Spec = spec;
        Tokenizer = tokenizer;
    }

    public BagOfEmbeddingsSpec Spec { get; }

    public NnlmTokenizer Tokenizer { get; }

    public int Dim => Spec.Dim;

    public string ExecutionProvider => _onnx.ExecutionProvider;

    public string Device => _onnx.Device;

    /// <summary>
    /// Opens the model and its <c>tokens.txt</c>. A vocabulary of another size than the table's vocabulary rows,
    /// or (when the model recorded it) with another SHA-256, is an <see cref="LmevException"/> naming the file.
    /// </summary>
    public static BagOfEmbeddingsEmbedder Open(string modelPath, string vocabularyPath, OnnxEmbedderOptions? options = null)
    {
        // Gather → ReduceSum → Mul is memory-bound and small: one ONNX Runtime thread is as fast as two, and
        // leaves the other core to tokenise (unless the caller chose a thread count).
        options ??= new OnnxEmbedderOptions();
        if (options.IntraOpThreads == 0) options = options with { IntraOpThreads = 1 };
        var onnx = OnnxEmbedder.Open(modelPath, options);
        try
        {
            var spec = BagOfEmbeddingsSpec.FromMetadata(onnx.Metadata, modelPath);
            var declaredDim = onnx.OutputShape(BagOfEmbeddingsModel.EmbeddingOutput)[^1];
            if (declaredDim != spec.Dim)
                throw new LmevException($"{modelPath}: output '{BagOfEmbeddingsModel.EmbeddingOutput}' has width {declaredDim} but the metadata says dim {spec.Dim}; rebuild the model.");
            var tokenizer = NnlmTokenizer.Load(vocabularyPath, spec.NumOovBuckets, spec.Tokenizer);
            if (tokenizer.VocabularySize != spec.VocabularySize)
                throw new LmevException(
                    $"{vocabularyPath}: {tokenizer.VocabularySize:N0} tokens, but {modelPath} has a table of {spec.VocabularySize:N0} vocabulary rows " +
                    $"(+ {spec.NumOovBuckets:N0} OOV buckets). Expected the tokens.txt the model was built with; use the vocabulary from the same model.");
            if (spec.VocabularySha256 is { } expected && Hashing.Sha256OfFile(vocabularyPath) is var found && found != expected)
                throw new LmevException(
                    $"{vocabularyPath}: SHA-256 {found}, but {modelPath} was built with a vocabulary of SHA-256 {expected}. " +
                    "Expected the tokens.txt the model was built with; use the vocabulary from the same model.");
            return new BagOfEmbeddingsEmbedder(onnx, spec, tokenizer);
        }
        catch
        {
            onnx.Dispose();
            throw;
        }
    }

    /// <summary>Titles per ONNX Runtime call after sorting by length: small enough that each call pads little.</summary>
    private const int SubBatch = 128;

    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        if (destination.Length != texts.Count * Dim)
            throw new ArgumentException($"destination holds {destination.Length} floats, expected {texts.Count} × {Dim}", nameof(destination));
        if (texts.Count == 0) return;
        // A batch is padded to its longest title, and Gather copies every padded position: sorting the titles by
        // length (spaces + 1 approximates the token count) and cutting them into sub-batches cuts that waste from
        // about 2.6× the real tokens to a few percent. The vectors do not depend on the order.
        var order = Enumerable.Range(0, texts.Count).ToArray();
        var lengths = new int[texts.Count];
        for (var i = 0; i < lengths.Length; i++) lengths[i] = texts[i].AsSpan().Count(' ');
        Array.Sort(lengths, order);
        // Tokenising (a lookup in a vocabulary of up to a million tokens per token) costs more than the ONNX Runtime
        // call, so the sub-batches are tokenised in parallel first; the tokeniser only reads its vocabulary.
        var batches = new BagOfEmbeddingsBatch[(order.Length + SubBatch - 1) / SubBatch];
        Parallel.For(0, batches.Length, b =>
        {
            var start = b * SubBatch;
            var chunk = new string[Math.Min(SubBatch, order.Length - start)];
            for (var j = 0; j < chunk.Length; j++) chunk[j] = texts[order[start + j]];
            batches[b] = BagOfEmbeddingsBatch.Encode(Tokenizer, chunk, Spec.Scale);
        });
        for (var b = 0; b < batches.Length; b++)
        {
            var batch = batches[b];
            var (values, _) = _onnx.Run(
                [
                    OnnxInput.Int64(BagOfEmbeddingsModel.IdsInput, batch.Ids, batch.Count, batch.MaxTokens),
                    OnnxInput.Float(BagOfEmbeddingsModel.ScaleInput, batch.Scales, batch.Count, 1),
                ],
                BagOfEmbeddingsModel.EmbeddingOutput);
            for (var j = 0; j < batch.Count; j++)
                values.AsSpan(j * Dim, Dim).CopyTo(destination.Slice(order[b * SubBatch + j] * Dim, Dim));
        }
    }

    public void Dispose() => _onnx.Dispose();
}
