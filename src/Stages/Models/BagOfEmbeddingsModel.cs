using System.Runtime.InteropServices;
using Google.Protobuf;
using Lmev.Pipeline;
using Onnx;

namespace Lmev.Models;

/// <summary>
/// A bag-of-embeddings text model (the NNLM family): token rows of an embedding table combined with TensorFlow's
/// <c>sqrtn</c> combiner (sum divided by the square root of the token count), written as an ONNX graph
/// <c>Gather → ReduceSum → Mul(scale)</c>. The tokeniser runs in C# (<see cref="NnlmTokenizer"/>), producing a
/// <see cref="BagOfEmbeddingsBatch"/>.
/// </summary>
/// <remarks>
/// Graph (opset 17): inputs <c>ids</c> int64 [batch, tokens] and <c>scale</c> float [batch, 1]; initializer
/// <c>table</c> float [rows + 1, dim] whose last row is zeros, so padding ids add nothing to the sum;
/// <c>embedding = ReduceSum(Gather(table, ids), axes=[1]) * scale</c>, float [batch, dim]. Summing first and
/// scaling once is the order of TensorFlow's <c>sparse_segment_sqrt_n</c>.
/// </remarks>
public sealed class BagOfEmbeddingsModel
{
    public const string IdsInput = "ids";
    public const string ScaleInput = "scale";
    public const string EmbeddingOutput = "embedding";
    public const int Opset = 17;

    /// <summary>
    /// Tables larger than this go to ONNX external data. Above 2 GiB they must (a protobuf message cannot be
    /// larger); from far smaller sizes they should: ONNX Runtime maps external data into memory instead of
    /// parsing and copying it — measured on a 1M × 128 table (513 MB), 13 s to open inline, 0.04 s external.
    /// </summary>
    public const long DefaultExternalDataThreshold = 64L << 20;

    private readonly float[] _table;

    /// <param name="table">[spec.RowCount, spec.Dim] row-major: vocabulary rows, then OOV bucket rows.</param>
    public BagOfEmbeddingsModel(BagOfEmbeddingsSpec spec, float[] table)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.NumOovBuckets, 1);
        if (table.LongLength != spec.RowCount * spec.Dim)
            throw new ArgumentException(
                $"table has {table.LongLength} values, expected {spec.RowCount} rows × {spec.Dim} = {spec.RowCount * spec.Dim}", nameof(table));
        Spec = spec;
        _table = table;
    }

    public BagOfEmbeddingsSpec Spec { get; }

    /// <summary>[Spec.RowCount, Spec.Dim] row-major, without the padding row.</summary>
    public ReadOnlyMemory<float> Table => _table;

    /// <summary>The external-data file that <see cref="WriteOnnx"/> puts beside a large model.</summary>
    public static string ExternalDataPath(string onnxPath) => onnxPath + ".data";

    /// <summary>
    /// A table with no pretraining, the offline baselines (random-dim50, random-dim128): every value uniform in
    /// [-√(3/dim), √(3/dim)), so a row has expected squared norm 1. Deterministic in <paramref name="seed"/> on any
    /// machine (SeededRandom, no floating-point library calls).
    /// </summary>
    public static BagOfEmbeddingsModel Random(int vocabularySize, int numOovBuckets, int dim, ulong seed, NnlmTokenizerOptions? tokenizer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vocabularySize);
        var spec = new BagOfEmbeddingsSpec(vocabularySize, numOovBuckets, dim, tokenizer ?? new NnlmTokenizerOptions());
        var table = new float[((long)vocabularySize + numOovBuckets) * dim];
        Fill(table, SeededRandom.For(seed, "bag-of-embeddings table"), Math.Sqrt(3.0 / dim));
        return new BagOfEmbeddingsModel(spec, table);
    }

    private static void Fill(Span<float> table, SeededRandom random, double limit)
    {
        for (var i = 0; i < table.Length; i++) table[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/>. A table over <paramref name="externalDataThreshold"/> bytes goes
    /// to <see cref="ExternalDataPath"/> beside it, referenced by its file name only; keep the two files together.
    /// </summary>
    public void WriteOnnx(string path, long externalDataThreshold = DefaultExternalDataThreshold)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not.");
        var dims = new[] { Spec.RowCount + 1, (long)Spec.Dim };
        var tableBytes = dims[0] * dims[1] * sizeof(float);

        TensorProto table;
        if (tableBytes > externalDataThreshold)
        {
            var dataPath = ExternalDataPath(path);
            WriteTableWithPaddingRow(dataPath);
            table = OnnxProtos.FloatsExternal("table", dims, Path.GetFileName(dataPath), 0, tableBytes);
        }
        else
        {
            var bytes = new byte[tableBytes];
            MemoryMarshal.AsBytes(_table.AsSpan()).CopyTo(bytes); // the padding row stays zero
            table = OnnxProtos.FloatsInline("table", dims, bytes);
        }

        var graph = new GraphProto { Name = "bag_of_embeddings_sqrtn" };
        graph.Initializer.Add(table);
        graph.Initializer.Add(OnnxProtos.Int64s("token_axis", 1));
        graph.Input.Add(OnnxProtos.Tensor(IdsInput, TensorProto.Types.DataType.Int64, "batch", "tokens"));
        graph.Input.Add(OnnxProtos.Tensor(ScaleInput, TensorProto.Types.DataType.Float, "batch", 1));
        graph.Output.Add(OnnxProtos.Tensor(EmbeddingOutput, TensorProto.Types.DataType.Float, "batch", Spec.Dim));
        graph.Node.Add(OnnxProtos.Node("Gather", ["table", IdsInput], ["rows"], OnnxProtos.Int("axis", 0)));
        graph.Node.Add(OnnxProtos.Node("ReduceSum", ["rows", "token_axis"], ["sum"], OnnxProtos.Int("keepdims", 0)));
        graph.Node.Add(OnnxProtos.Node("Mul", ["sum", ScaleInput], [EmbeddingOutput]));

        var model = OnnxProtos.Model(graph, Opset, Spec.ToMetadata());
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        model.WriteTo(stream);
    }

    /// <summary>
    /// Reads back a model written by <see cref="WriteOnnx"/>: its spec from the metadata and its table (without
    /// the padding row) from the initializer, inline or in the external data file. Train's fine-tune mode
    /// starts from this table.
    /// </summary>
    public static BagOfEmbeddingsModel Load(string path)
    {
        if (!File.Exists(path)) throw new LmevException($"{path}: model file not found");
        ModelProto proto;
        try
        {
            using var stream = File.OpenRead(path);
            proto = ModelProto.Parser.ParseFrom(stream);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new LmevException($"{path}: not a readable ONNX model ({e.Message}); rebuild it (lmev model --force)", e);
        }
        var spec = BagOfEmbeddingsSpec.FromMetadata(proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value), path);
        var tensor = proto.Graph.Initializer.FirstOrDefault(t => t.Name == "table")
            ?? throw new LmevException($"{path}: no initializer named 'table'; expected a bag-of-embeddings model written by lmev");
        var expected = new[] { spec.RowCount + 1, (long)spec.Dim };
        if (!tensor.Dims.SequenceEqual(expected))
            throw new LmevException($"{path}: table shape [{string.Join(", ", tensor.Dims)}], expected [{string.Join(", ", expected)}] from the metadata");
        var table = new float[spec.RowCount * spec.Dim];
        var bytes = MemoryMarshal.AsBytes(table.AsSpan());
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            var location = tensor.ExternalData.First(e => e.Key == "location").Value;
            var dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, location);
            if (!File.Exists(dataPath)) throw new LmevException($"{dataPath}: external data of {path} not found");
            using var data = File.OpenRead(dataPath);
            if (data.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
                throw new LmevException($"{dataPath}: shorter than the {bytes.Length:N0} bytes of the table {path} declares");
        }
        else
        {
            if (tensor.RawData.Length < bytes.Length)
                throw new LmevException($"{path}: the table holds {tensor.RawData.Length:N0} bytes, expected {bytes.Length:N0}");
            tensor.RawData.Span[..bytes.Length].CopyTo(bytes);
        }
        return new BagOfEmbeddingsModel(spec, table);
    }

    private void WriteTableWithPaddingRow(string dataPath)
    {
        using var stream = new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        const int chunk = 1 << 24; // floats per write; a span of bytes must stay under 2 GiB
        for (long at = 0; at < _table.LongLength; at += chunk)
        {
            var n = (int)Math.Min(chunk, _table.LongLength - at);
            stream.Write(MemoryMarshal.AsBytes(_table.AsSpan((int)at, n)));
        }
        stream.Write(new byte[Spec.Dim * sizeof(float)]);
    }
}
