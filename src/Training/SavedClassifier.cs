using Lmev.Training.FastText;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>One linear layer of a classifier's head, by the names of its weights in the module's state: y = x·Wᵀ + b, then ReLU or not.</summary>
/// <param name="Weight">[out, in], as torch's Linear holds it.</param>
/// <param name="Bias">[out]; null for fastText's output layer.</param>
public sealed record LinearLayer(string Weight, string? Bias, bool Relu);

/// <summary>
/// A trained run's classifier read back from the <c>model.dat</c> the Train stage saved (TorchSharp's <c>Module.save</c>), with
/// the module built as training built it: fastText's (<see cref="FastTextClassifier"/>), a fine-tuned table and its MLP
/// (<see cref="BagOfEmbeddingsClassifier"/>), or the MLP alone on frozen vectors (<see cref="Mlp"/>). It gives the logits of
/// any input in the batches training scored the test split in (so that the run's own test titles get the very logits it
/// wrote), and its weights by name, for an export.
/// </summary>
public sealed class SavedClassifier : IDisposable
{
    private readonly nn.Module _module;
    private readonly Device _device;

    private SavedClassifier(nn.Module module, string weights, Device device, string? table, BagCombiner? combiner, IReadOnlyList<LinearLayer> head, int classes)
    {
        _module = module;
        _device = device;
        TableWeight = table;
        Combiner = combiner;
        Head = head;
        Classes = classes;
        try
        {
            module.load(weights);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException or KeyNotFoundException)
        {
            module.Dispose();
            throw new InvalidDataException($"{weights}: not the weights of this run's classifier ({e.Message})", e);
        }
        module.to(device);
        module.eval();
        Device = TorchRuntime.DeviceName(device);
    }

    /// <summary>The table's weight (rows of a title's tokens); null for an MLP on frozen vectors.</summary>
    public string? TableWeight { get; }

    /// <summary>How a title's rows are pooled (fastText: the mean); null for an MLP on frozen vectors.</summary>
    public BagCombiner? Combiner { get; }

    /// <summary>The layers from the pooled vector to the logits, in order.</summary>
    public IReadOnlyList<LinearLayer> Head { get; }

    public int Classes { get; }

    /// <summary>The device it runs on, as training names it ("cpu: …", "cuda:0 …").</summary>
    public string Device { get; }

    /// <summary>A fastText run: <paramref name="rows"/> = vocabulary + hashed n-gram rows.</summary>
    public static SavedClassifier FastText(string weights, long rows, int dim, int classes, bool useCuda) =>
        Open(() => FastTextClassifier.ForLoading(rows, dim, classes), weights, useCuda, "input", BagCombiner.Mean, [new LinearLayer("output", null, false)], classes);

    /// <summary>A fine-tuned run: its table of <paramref name="rows"/> × <paramref name="dim"/>, pooled by <paramref name="combiner"/>, under the MLP.</summary>
    public static SavedClassifier FineTune(string weights, long rows, int dim, int classes, int hidden, BagCombiner combiner, bool useCuda) =>
        Open(() => BagOfEmbeddingsClassifier.ForLoading(rows, dim, classes, hidden, combiner), weights, useCuda, "bag.weight", combiner, MlpLayers("mlp."), classes);

    /// <summary>A frozen run: the MLP on vectors of width <paramref name="dim"/>.</summary>
    public static SavedClassifier Frozen(string weights, int dim, int classes, int hidden, bool useCuda) =>
        Open(() => new Mlp(dim, classes, hidden, dropout: 0), weights, useCuda, null, null, MlpLayers(""), classes);

    private static IReadOnlyList<LinearLayer> MlpLayers(string prefix) =>
    [
        new($"{prefix}hidden1.weight", $"{prefix}hidden1.bias", true),
        new($"{prefix}hidden2.weight", $"{prefix}hidden2.bias", true),
        new($"{prefix}output.weight", $"{prefix}output.bias", false),
    ];

    private static SavedClassifier Open(Func<nn.Module> build, string weights, bool useCuda, string? table, BagCombiner? combiner,
        IReadOnlyList<LinearLayer> head, int classes)
    {
        TorchRuntime.EnsureLoaded();
        var device = TorchRuntime.SelectDevice(useCuda);
        return new SavedClassifier(build(), weights, device, table, combiner, head, classes);
    }

    /// <summary>
    /// Logits and their softmax, each [rows, classes] row-major, of token bags (fastText and fine-tuned runs), in batches of
    /// <paramref name="batchSize"/>.
    /// </summary>
    public (float[] Logits, float[] Probabilities) Scores(TokenBags bags, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(bags);
        using IBatchSource source = _module switch
        {
            FastTextClassifier f => CheckedIds(bags, f.Rows, () => new FastTextBatchSource(f, bags, _device)),
            BagOfEmbeddingsClassifier b => CheckedIds(bags, b.TableRows, () => new BagBatchSource(b, bags, _device)),
            _ => throw new InvalidOperationException("this run's classifier takes vectors, not token bags"),
        };
        return Scores(source, batchSize);
    }

    /// <summary>Logits and their softmax, each [rows, classes] row-major, of frozen vectors, in batches of <paramref name="batchSize"/>.</summary>
    public (float[] Logits, float[] Probabilities) Scores(FeatureMatrix features, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (_module is not Mlp mlp) throw new InvalidOperationException("this run's classifier takes token bags, not vectors");
        if (features.Dim != mlp.InputDim) throw new ArgumentException($"vectors of width {features.Dim}, but the run's MLP takes {mlp.InputDim}");
        using var source = new DenseBatchSource(mlp, features, _device);
        return Scores(source, batchSize);
    }

    private static IBatchSource CheckedIds(TokenBags bags, long rows, Func<IBatchSource> source) =>
        bags.MaxId < rows ? source() : throw new ArgumentException($"token id {bags.MaxId}, but the table has {rows} rows");

    /// <summary>As <see cref="Trainer.Evaluate"/> scores a split: eval mode, no gradients, consecutive batches from the first row.</summary>
    private (float[] Logits, float[] Probabilities) Scores(IBatchSource source, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var logits = new float[(long)source.Rows * Classes];
        var probabilities = new float[logits.Length];
        var order = new long[source.Rows];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        using var noGrad = torch.no_grad();
        for (var start = 0; start < source.Rows; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var rows = new ArraySegment<long>(order, start, Math.Min(batchSize, source.Rows - start));
            var batch = source.Logits(rows);                                                    // [batch, classes]
            batch.cpu().data<float>().CopyTo(logits.AsSpan(start * Classes, rows.Count * Classes));
            batch.softmax(1).cpu().data<float>().CopyTo(probabilities.AsSpan(start * Classes, rows.Count * Classes));
        }
        return (logits, probabilities);
    }

    /// <summary>A weight's shape, by its name in the module's state.</summary>
    public long[] Shape(string name) => Weight(name).shape;

    /// <summary>Writes a weight's values to <paramref name="destination"/>: float32, little-endian, row-major (as ONNX's raw data).</summary>
    public void CopyTo(string name, Stream destination)
    {
        using var scope = torch.NewDisposeScope();
        var flat = Weight(name).detach().cpu().contiguous().view(-1);
        const long chunk = 1 << 22;
        var buffer = new float[Math.Min(chunk, Math.Max(1, flat.shape[0]))];
        for (long at = 0; at < flat.shape[0]; at += chunk)
        {
            var n = (int)Math.Min(chunk, flat.shape[0] - at);
            flat.narrow(0, at, n).data<float>().CopyTo(buffer.AsSpan(0, n));
            destination.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
        }
    }

    private Tensor Weight(string name) =>
        _module.state_dict().TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"the classifier has no weight '{name}'");

    public void Dispose() => _module.Dispose();
}
