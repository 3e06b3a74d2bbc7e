using static TorchSharp.torch;

namespace Lmev.Training.FastText;

/// <summary>Some titles' rows, gathered on the host and sent to the device in one go.</summary>
/// <param name="Ids">[tokens] int64 table rows</param>
/// <param name="Titles">[tokens] int64 which title of the batch each row belongs to</param>
/// <param name="Counts">[batch] float32 rows per title (at least 1, so that an empty title's mean is 0, not NaN)</param>
internal sealed record FastTextBatch(Tensor Ids, Tensor Titles, Tensor Counts)
{
    public static FastTextBatch Of(TokenBags bags, ArraySegment<long> rows, Device device)
    {
        long tokens = 0;
        foreach (long r in rows) tokens += bags.Offsets[r + 1] - bags.Offsets[r];
        var ids = new long[tokens];
        var titles = new long[tokens];
        var counts = new float[rows.Count];
        long at = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            long r = rows[i], start = bags.Offsets[r], length = bags.Offsets[r + 1] - start;
            Array.Copy(bags.Ids, start, ids, at, length);
            Array.Fill(titles, i, (int)at, (int)length);
            counts[i] = Math.Max(1, length);
            at += length;
        }
        return new FastTextBatch(tensor(ids, device: device), tensor(titles, device: device), tensor(counts, device: device));
    }
}

/// <summary>A fastText model bound to a set of titles, for <see cref="Trainer.Evaluate"/>.</summary>
internal sealed class FastTextBatchSource(FastTextClassifier model, TokenBags bags, Device device) : IBatchSource
{
    public int Rows => bags.Rows;

    public Tensor Logits(ArraySegment<long> rows)
    {
        var batch = FastTextBatch.Of(bags, rows, device);
        return model.Logits(model.Hidden(batch.Ids, batch.Titles, batch.Counts));   // [batch, classes]
    }

    public void Dispose() { }
}
