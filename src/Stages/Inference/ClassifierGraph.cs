using System.Runtime.InteropServices;
using Google.Protobuf;
using Lmev.Models;
using Lmev.Training;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Lmev.Inference;

/// <summary>
/// Builds a run's whole classifier as ONNX nodes (onnx/Operators.md): the pooling of a title's token rows or of a transformer's
/// states, the head's linear layers (<c>Gemm</c> with the weights as torch holds them, [out, in], <c>transB</c> = 1), and a softmax
/// to the output <see cref="ProbabilitiesOutput"/>. Weights over <see cref="ExternalThreshold"/> bytes go to one external data
/// file beside the model (page-aligned, so that ONNX Runtime maps them rather than copying); the rest are stored inline.
/// </summary>
internal sealed class ClassifierGraph : IDisposable
{
    public const string IdsInput = "ids", OffsetsInput = "offsets", ProbabilitiesOutput = "probabilities";
    public const string InputIdsInput = "input_ids", AttentionMaskInput = "attention_mask";

    /// <summary>The opset of a bag-of-embeddings classifier: ScatterElements' and ScatterND's reduction="add" need 16.</summary>
    public const int BagOpset = 17;

    public const long ExternalThreshold = 64L << 20;

    private readonly string _dataPath;
    private FileStream? _data;
    private int _next;

    public ClassifierGraph(GraphProto graph, string onnxPath, int opset)
    {
        Graph = graph;
        Opset = opset;
        _dataPath = BagOfEmbeddingsModel.ExternalDataPath(onnxPath);
        if (File.Exists(_dataPath)) File.Delete(_dataPath);
    }

    public GraphProto Graph { get; }

    public int Opset { get; }

    /// <summary>The external data file, when a weight went there.</summary>
    public string? DataFile => _data is null ? null : _dataPath;

    /// <summary>Adds a node of a fresh output name; returns it.</summary>
    public string Add(string op, string[] inputs, params AttributeProto[] attributes)
    {
        var output = $"lmev_{op.ToLowerInvariant()}_{_next++}";
        Graph.Node.Add(OnnxProtos.Node(op, inputs, [output], attributes));
        return output;
    }

    /// <summary>Adds a node writing <paramref name="output"/>.</summary>
    public void AddTo(string output, string op, string[] inputs, params AttributeProto[] attributes) =>
        Graph.Node.Add(OnnxProtos.Node(op, inputs, [output], attributes));

    public string Int64s(params long[] values)
    {
        var name = $"lmev_const_{_next++}";
        Graph.Initializer.Add(OnnxProtos.Int64s(name, values));
        return name;
    }

    public string Float(float value)
    {
        var name = $"lmev_const_{_next++}";
        Graph.Initializer.Add(OnnxProtos.Floats(name, [], value));
        return name;
    }

    /// <summary>A float weight of <paramref name="dims"/> whose raw bytes <paramref name="write"/> gives (little-endian, row-major).</summary>
    public string Weight(string name, long[] dims, Action<Stream> write)
    {
        var bytes = dims.Aggregate(1L, (a, b) => a * b) * sizeof(float);
        if (bytes <= ExternalThreshold)
        {
            using var memory = new MemoryStream((int)bytes);
            write(memory);
            if (memory.Length != bytes) throw new InvalidOperationException($"weight {name}: {memory.Length} bytes written, expected {bytes}");
            Graph.Initializer.Add(OnnxProtos.FloatsInline(name, dims, memory.ToArray()));
            return name;
        }
        _data ??= new FileStream(_dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var offset = (_data.Length + 4095) / 4096 * 4096;
        _data.SetLength(offset);
        _data.Position = offset;
        write(_data);
        if (_data.Position - offset != bytes) throw new InvalidOperationException($"weight {name}: {_data.Position - offset} bytes written, expected {bytes}");
        Graph.Initializer.Add(OnnxProtos.FloatsExternal(name, dims, Path.GetFileName(_dataPath), offset, bytes));
        return name;
    }

    /// <summary>A weight of the saved classifier, by its name there.</summary>
    public string Weight(SavedClassifier classifier, string name) =>
        Weight($"lmev_{name.Replace('.', '_')}", classifier.Shape(name), s => classifier.CopyTo(name, s));

    /// <summary>A float array as a weight.</summary>
    public string Weight(string name, long[] dims, ReadOnlyMemory<float> values) =>
        Weight(name, dims, s =>
        {
            const int chunk = 1 << 24;
            for (var at = 0; at < values.Length; at += chunk)
                s.Write(MemoryMarshal.AsBytes(values.Span.Slice(at, Math.Min(chunk, values.Length - at))));
        });

    /// <summary>
    /// The rows of each title pooled: <paramref name="ids"/> [tokens] are rows of <paramref name="table"/>, <paramref name="offsets"/>
    /// [batch] where each title starts (a title may have none: it pools to zeros); the sum of a title's rows divided by √n (sqrtn),
    /// n (mean) or nothing (sum), n at least 1 — as <see cref="BagOfEmbeddingsClassifier.Pool"/>. Returns [batch, dim].
    /// </summary>
    public string PoolBags(string table, string ids, string offsets, long dim, BagCombiner combiner)
    {
        var one = Int64s(1);
        var tokens = Add("Shape", [ids]);                                                             // [1] = tokens
        // Each token's title: scatter 1 at every title's start (tokens + 1 slots, as an empty last title starts at the end),
        // a cumulative sum counts the starts at or before each token; minus one is the title.
        var slots = Add("ConstantOfShape", [Add("Add", [tokens, one])], OnnxProtos.TensorValue("value", OnnxProtos.Int64s("zero", [1], 0)));
        var ones = Add("ConstantOfShape", [Add("Shape", [offsets])], OnnxProtos.TensorValue("value", OnnxProtos.Int64s("one", [1], 1)));
        var starts = Add("ScatterElements", [slots, offsets, ones], OnnxProtos.Int("axis", 0), OnnxProtos.String("reduction", "add"));
        var counted = Add("CumSum", [starts, Int64s(0)]);                                             // [tokens + 1]
        var title = Add("Sub", [Add("Slice", [counted, Int64s(0), tokens]), one]);                    // [tokens]
        var rows = Add("Gather", [table, ids], OnnxProtos.Int("axis", 0));                          // [tokens, dim]
        var empty = Add("ConstantOfShape", [Add("Concat", [Add("Shape", [offsets]), Int64s(dim)], OnnxProtos.Int("axis", 0))],
            OnnxProtos.TensorValue("value", OnnxProtos.Floats("zero", [1], 0f)));                    // [batch, dim]
        var sums = Add("ScatterND", [empty, Unsqueeze(title, 1), rows], OnnxProtos.String("reduction", "add"));   // [batch, dim]
        if (combiner == BagCombiner.Sum) return sums;
        var ends = Add("Slice", [Add("Concat", [offsets, tokens], OnnxProtos.Int("axis", 0)), one, Int64s(long.MaxValue)]);   // [batch]
        var counts = Add("Max", [Add("Cast", [Add("Sub", [ends, offsets])], OnnxProtos.Int("to", (int)DataType.Float)), Float(1f)]);
        var divisor = combiner == BagCombiner.Mean ? counts : Add("Sqrt", [counts]);                // [batch]
        return Add("Div", [sums, Unsqueeze(divisor, 1)]);                                            // [batch, dim]
    }

    /// <summary>
    /// A transformer's <paramref name="states"/> [batch, tokens, dim] averaged over the tokens the <paramref name="mask"/> [batch,
    /// tokens] keeps, then (<paramref name="l2"/>) divided by their L2 norm, as <see cref="MiniLmEmbedder"/> does. Returns [batch, dim].
    /// </summary>
    public string MeanPool(string states, string mask, bool l2)
    {
        var keep = Add("Cast", [mask], OnnxProtos.Int("to", (int)DataType.Float));                  // [batch, tokens]
        var summed = ReduceSum(Add("Mul", [states, Unsqueeze(keep, 2)]), 1, keepDims: false);      // [batch, dim]
        var count = Add("Max", [ReduceSum(keep, 1, keepDims: true), Float(1e-9f)]);                   // [batch, 1]
        var mean = Add("Div", [summed, count]);
        if (!l2) return mean;
        var norm = Add("Max", [Add("Sqrt", [ReduceSum(Add("Mul", [mean, mean]), 1, keepDims: true)]), Float(1e-12f)]);
        return Add("Div", [mean, norm]);                                                             // [batch, dim]
    }

    /// <summary>The classifier's head on <paramref name="pooled"/> [batch, in], ending in the probabilities output [batch, classes].</summary>
    public void Head(SavedClassifier classifier, string pooled)
    {
        var x = pooled;
        foreach (var layer in classifier.Head)
        {
            string[] inputs = layer.Bias is { } bias ? [x, Weight(classifier, layer.Weight), Weight(classifier, bias)] : [x, Weight(classifier, layer.Weight)];
            x = Add("Gemm", inputs, OnnxProtos.Int("transB", 1));
            if (layer.Relu) x = Add("Relu", [x]);
        }
        AddTo(ProbabilitiesOutput, "Softmax", [x], OnnxProtos.Int("axis", 1));
        Graph.Output.Add(OnnxProtos.Tensor(ProbabilitiesOutput, DataType.Float, "batch", classifier.Classes));
    }

    private string Unsqueeze(string x, long axis) =>
        Opset >= 13 ? Add("Unsqueeze", [x, Int64s(axis)]) : Add("Unsqueeze", [x], OnnxProtos.Ints("axes", axis));

    private string ReduceSum(string x, long axis, bool keepDims) =>
        Opset >= 13 ? Add("ReduceSum", [x, Int64s(axis)], OnnxProtos.Int("keepdims", keepDims ? 1 : 0))
            : Add("ReduceSum", [x], OnnxProtos.Ints("axes", axis), OnnxProtos.Int("keepdims", keepDims ? 1 : 0));

    /// <summary>Writes the model (its external data is complete by now).</summary>
    public void Save(ModelProto model, string onnxPath)
    {
        _data?.Flush();
        _data?.Dispose();
        Lmev.Pipeline.AtomicFile.Write(onnxPath, model.WriteTo);
    }

    public void Dispose() => _data?.Dispose();
}
