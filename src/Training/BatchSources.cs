using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>A model bound to one input set: logits for any subset of its rows.</summary>
internal interface IBatchSource : IDisposable
{
    int Rows { get; }
    /// <returns>logits [rows.Count, classes]</returns>
    Tensor Logits(ArraySegment<long> rows);
}

/// <summary>Frozen embeddings: the whole matrix sits on the device once; a batch is an index_select.</summary>
internal sealed class DenseBatchSource : IBatchSource
{
    private readonly Mlp model;
    private readonly Tensor features;   // [rows, dim] on the device
    private readonly Device device;

    public DenseBatchSource(Mlp model, FeatureMatrix input, Device device)
    {
        this.model = model; this.device = device; Rows = input.Rows;
        using var host = tensor(input.Values, [input.Rows, input.Dim]);
        features = host.to(device, copy: true).DetachFromDisposeScope();
    }

    public int Rows { get; }

    public Tensor Logits(ArraySegment<long> rows)
    {
        var index = tensor(rows.ToArray(), device: device);          // [batch]
        return model.forward(features.index_select(0, index));       // [batch, dim] -> [batch, classes]
    }

    public void Dispose() => features.Dispose();
}

/// <summary>Token bags: each batch's ids and offsets are gathered on the host and sent over.</summary>
internal sealed class BagBatchSource(BagOfEmbeddingsClassifier model, TokenBags input, Device device) : IBatchSource
{
    public int Rows => input.Rows;

    public Tensor Logits(ArraySegment<long> rows)
    {
        long tokens = 0;
        foreach (long r in rows) tokens += input.Offsets[r + 1] - input.Offsets[r];
        var ids = new long[tokens];
        var offsets = new long[rows.Count];
        long at = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            long r = rows[i], start = input.Offsets[r], length = input.Offsets[r + 1] - start;
            offsets[i] = at;
            Array.Copy(input.Ids, start, ids, at, length);
            at += length;
        }
        return model.forward(tensor(ids, device: device), tensor(offsets, device: device));   // [tokens], [batch] -> [batch, classes]
    }

    public void Dispose() { }
}
