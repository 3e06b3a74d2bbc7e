using System.Runtime.InteropServices;
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

/// <summary>
/// Token bags: each batch's ids and offsets are gathered on the host, straight into the tensors sent over (a managed
/// array of a batch's ids, ~250 KB at the study's size, would be large-object-heap garbage every step).
/// </summary>
internal sealed class BagBatchSource(BagOfEmbeddingsClassifier model, TokenBags input, Device device) : IBatchSource
{
    public int Rows => input.Rows;

    public Tensor Logits(ArraySegment<long> rows)
    {
        long tokens = 0;
        foreach (long r in rows) tokens += input.Offsets[r + 1] - input.Offsets[r];
        var ids = empty(tokens, ScalarType.Int64);                                          // [tokens], host
        var offsets = empty(rows.Count, ScalarType.Int64);                                  // [batch], host
        var idSpan = tokens == 0 ? [] : MemoryMarshal.Cast<byte, long>(ids.bytes);
        var offsetSpan = MemoryMarshal.Cast<byte, long>(offsets.bytes);
        int at = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            long r = rows[i], start = input.Offsets[r];
            int length = (int)(input.Offsets[r + 1] - start);
            offsetSpan[i] = at;
            input.Ids.AsSpan(checked((int)start), length).CopyTo(idSpan[at..]);
            at += length;
        }
        return model.forward(ids.to(device), offsets.to(device));   // [tokens], [batch] -> [batch, classes]
    }

    public void Dispose() { }
}
