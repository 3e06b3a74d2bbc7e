namespace Lmev.Models;

/// <summary>
/// A batch of titles as the bag-of-embeddings graph takes it: <c>ids</c> [count, maxTokens] row-major, short
/// rows padded with the all-zero padding row, and <c>scale</c> [count, 1] = the combiner's factor for the row's
/// token count (1/sqrt(n) for sqrtn, 1/n for mean, 1 for sum; 0 for a row without tokens, which thus embeds as zeros).
/// </summary>
public sealed class BagOfEmbeddingsBatch
{
    private BagOfEmbeddingsBatch(long[] ids, float[] scales, int count, int maxTokens)
    {
        Ids = ids;
        Scales = scales;
        Count = count;
        MaxTokens = maxTokens;
    }

    public long[] Ids { get; }

    public float[] Scales { get; }

    public int Count { get; }

    public int MaxTokens { get; }

    public static BagOfEmbeddingsBatch Encode(NnlmTokenizer tokenizer, IReadOnlyList<string> titles) =>
        Encode(tokenizer, titles, n => n == 0 ? 0f : (float)(1.0 / Math.Sqrt(n)));

    /// <param name="scale">The combiner's factor for a row of n tokens (<see cref="BagOfEmbeddingsSpec.Scale"/>).</param>
    public static BagOfEmbeddingsBatch Encode(NnlmTokenizer tokenizer, IReadOnlyList<string> titles, Func<int, float> scale)
    {
        var ids = new List<long>();
        var ends = new int[titles.Count];
        var maxTokens = 1; // ONNX Runtime reduces over an axis of length 0 poorly; one padding column costs nothing.
        for (var i = 0; i < titles.Count; i++)
        {
            maxTokens = Math.Max(maxTokens, tokenizer.Tokenize(titles[i], ids));
            ends[i] = ids.Count;
        }

        var padded = new long[titles.Count * maxTokens];
        Array.Fill(padded, tokenizer.RowCount);
        var scales = new float[titles.Count];
        var source = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        for (int i = 0, start = 0; i < titles.Count; start = ends[i], i++)
        {
            var n = ends[i] - start;
            source.Slice(start, n).CopyTo(padded.AsSpan(i * maxTokens, n));
            scales[i] = scale(n);
        }
        return new BagOfEmbeddingsBatch(padded, scales, titles.Count, maxTokens);
    }
}
