using Lmev.Pipeline;
using Microsoft.ML.Tokenizers;

namespace Lmev.Models;

/// <summary>
/// A sentence-transformers encoder run through ONNX Runtime: uncased WordPiece (BertTokenizer, accents stripped
/// as Hugging Face's BasicTokenizer does when lower-casing — without it "canción" becomes [UNK]; see
/// <see cref="AccentStripping"/> for why BertTokenizer's own option is not enough here), the model's
/// <c>last_hidden_state</c>, mean pooling over the attention mask, then L2 normalisation.
/// </summary>
public sealed class MiniLmEmbedder : ITextEmbedder
{
    private const string HiddenStateOutput = "last_hidden_state";
    private readonly OnnxEmbedder _onnx;
    private readonly MiniLmOptions _options;

    private MiniLmEmbedder(OnnxEmbedder onnx, WordPieceEncoder encoder, int dim, MiniLmOptions options)
    {
        _onnx = onnx;
        Encoder = encoder;
        Dim = dim;
        _options = options;
    }

    /// <summary>How a title becomes the model's token ids.</summary>
    public WordPieceEncoder Encoder { get; }

    public BertTokenizer Tokenizer => Encoder.Tokenizer;

    public int Dim { get; }

    public string ExecutionProvider => _onnx.ExecutionProvider;

    public string Device => _onnx.Device;

    /// <summary>Opens <c>model.onnx</c> and <c>vocab.txt</c> in <paramref name="folder"/> (see <see cref="MiniLmModel.Extract"/>).</summary>
    public static MiniLmEmbedder Open(string folder, MiniLmOptions? options = null, OnnxEmbedderOptions? onnxOptions = null)
    {
        options ??= new MiniLmOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokens, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        var vocabulary = Path.Combine(folder, MiniLmModel.VocabularyFile);
        if (!File.Exists(vocabulary))
            throw new LmevException($"{vocabulary}: WordPiece vocabulary not found. Expected it beside {MiniLmModel.ModelFile}; extract the model again (MiniLmModel.Extract).");
        var onnx = OnnxEmbedder.Open(Path.Combine(folder, MiniLmModel.ModelFile), onnxOptions);
        try
        {
            string[] expected = ["input_ids", "attention_mask", "token_type_ids"];
            if (!expected.All(onnx.InputNames.Contains) || !onnx.OutputNames.Contains(HiddenStateOutput))
                throw new LmevException(
                    $"{onnx.ModelPath}: inputs [{string.Join(", ", onnx.InputNames)}], outputs [{string.Join(", ", onnx.OutputNames)}]; " +
                    $"expected inputs [{string.Join(", ", expected)}] and output {HiddenStateOutput} (a BERT-style sentence encoder).");
            var dim = (int)onnx.OutputShape(HiddenStateOutput)[^1];
            return new MiniLmEmbedder(onnx, WordPieceEncoder.Open(vocabulary, options.MaxTokens), dim, options);
        }
        catch
        {
            onnx.Dispose();
            throw;
        }
    }

    /// <summary>Token ids of one text: [CLS] wordpieces [SEP], cut to MaxTokens keeping the final [SEP].</summary>
    public IReadOnlyList<int> Encode(string text) => Encoder.Encode(text);

    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        if (destination.Length != texts.Count * Dim)
            throw new ArgumentException($"destination holds {destination.Length} floats, expected {texts.Count} × {Dim}", nameof(destination));
        var encoded = texts.Select(Encode).ToArray();
        // Sorted by length, a batch pads only to its own longest text.
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => encoded[i].Count).ToArray();
        for (var start = 0; start < order.Length; start += _options.BatchSize)
        {
            var batch = order.AsSpan(start, Math.Min(_options.BatchSize, order.Length - start));
            EmbedBatch(batch, encoded, destination);
        }
    }

    private void EmbedBatch(ReadOnlySpan<int> rows, IReadOnlyList<int>[] encoded, Span<float> destination)
    {
        var count = rows.Length;
        var length = encoded[rows[^1]].Count;
        var ids = new long[count * length];      // [count, length], padded with [PAD] = 0
        var mask = new long[count * length];     // 1 on real tokens
        var types = new long[count * length];    // one segment: all 0
        for (var r = 0; r < count; r++)
        {
            var tokens = encoded[rows[r]];
            for (var t = 0; t < tokens.Count; t++)
            {
                ids[r * length + t] = tokens[t];
                mask[r * length + t] = 1;
            }
        }
        var (hidden, _) = _onnx.Run(
            [
                OnnxInput.Int64("input_ids", ids, count, length),
                OnnxInput.Int64("attention_mask", mask, count, length),
                OnnxInput.Int64("token_type_ids", types, count, length),
            ],
            HiddenStateOutput); // [count, length, Dim]

        for (var r = 0; r < count; r++)
        {
            var output = destination.Slice(rows[r] * Dim, Dim);
            output.Clear();
            var n = encoded[rows[r]].Count;
            for (var t = 0; t < n; t++)
            {
                var state = hidden.AsSpan((r * length + t) * Dim, Dim);
                for (var d = 0; d < Dim; d++) output[d] += state[d];
            }
            var scale = 1f / Math.Max(n, 1e-9f);
            for (var d = 0; d < Dim; d++) output[d] *= scale;
            if (_options.Normalize) NormalizeL2(output);
        }
    }

    private static void NormalizeL2(Span<float> vector)
    {
        double sum = 0;
        foreach (var v in vector) sum += (double)v * v;
        var scale = (float)(1.0 / Math.Max(Math.Sqrt(sum), 1e-12));
        for (var d = 0; d < vector.Length; d++) vector[d] *= scale;
    }

    public void Dispose() => _onnx.Dispose();
}
