using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Lmev.Models.TensorFlow;
using Lmev.Models.TensorFlow.Protos;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>
/// Writes small TensorFlow checkpoints the way TensorFlow's BundleWriter does (tensor_bundle.cc), for
/// tests: data shards of raw little-endian bytes and a variables.index LevelDB table (table_builder.cc:
/// uncompressed data blocks with restart points, an index block, an empty metaindex block, CRC
/// trailers, the 48-byte footer). Partitioned variables are saved as a TF1 Saver saves them. The
/// reader also reads real TensorFlow output, which keeps this writer honest.
/// </summary>
public sealed class TensorBundleWriter(string prefix, int numShards = 1, int blockSize = 4096, bool snappyIndex = false)
{
    private readonly SortedDictionary<byte[], BundleEntryProto> _entries = new(ByteOrder.Instance);
    private readonly MemoryStream[] _shards = Enumerable.Range(0, numShards).Select(_ => new MemoryStream()).ToArray();

    public string Prefix => prefix;

    public string DataPath(int shard) => $"{prefix}.data-{shard:D5}-of-{numShards:D5}";

    public string IndexPath => prefix + ".index";

    public void AddFloat32(string key, long[] shape, float[] values, int shard = 0) => AddRaw(key, (int)TensorDType.Float, shape, MemoryMarshal.AsBytes(values.AsSpan()), shard);

    public void AddFloat64(string key, long[] shape, double[] values, int shard = 0) => AddRaw(key, (int)TensorDType.Double, shape, MemoryMarshal.AsBytes(values.AsSpan()), shard);

    public void AddInt64(string key, long[] shape, long[] values, int shard = 0) => AddRaw(key, (int)TensorDType.Int64, shape, MemoryMarshal.AsBytes(values.AsSpan()), shard);

    public void AddInt32(string key, long[] shape, int[] values, int shard = 0) => AddRaw(key, (int)TensorDType.Int32, shape, MemoryMarshal.AsBytes(values.AsSpan()), shard);

    /// <summary>Any dtype number with its bytes as given (e.g. DT_HALF = 19 with 2 bytes an element).</summary>
    public void AddRaw(string key, int dtype, long[] shape, ReadOnlySpan<byte> bytes, int shard = 0) =>
        AddEntry(Encoding.UTF8.GetBytes(key), dtype, shape, bytes, shard);

    /// <summary>WriteStringTensor's layout: varint64 lengths, masked CRC32C of the lengths (as uint32), the bytes.</summary>
    public void AddStrings(string key, long[] shape, string[] values, int shard = 0)
    {
        var body = new MemoryStream();
        var crc = 0u;
        var items = values.Select(Encoding.UTF8.GetBytes).ToArray();
        Span<byte> word = stackalloc byte[4];
        foreach (var item in items)
        {
            Varint.Write(body, (ulong)item.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)item.Length);
            crc = Crc32C.Extend(crc, word);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(word, Crc32C.Mask(crc));
        body.Write(word);
        crc = Crc32C.Extend(crc, word);
        foreach (var item in items) { body.Write(item); crc = Crc32C.Extend(crc, item); }
        AddEntry(Encoding.UTF8.GetBytes(key), (int)TensorDType.String, shape, body.ToArray(), shard, crc);
    }

    /// <summary>
    /// A float32 variable partitioned along <paramref name="axis"/> into parts of the given sizes, as
    /// BundleWriter::AddSlice stores it: the full key lists the slices (TensorSliceProto, full extents
    /// left empty) and holds no data; each slice is its own tensor under EncodeTensorNameSlice(key, slice).
    /// Part i goes to shard i % numShards.
    /// </summary>
    public void AddPartitionedFloat32(string key, long[] fullShape, float[] values, int axis, long[] partSizes)
    {
        var full = new BundleEntryProto { Dtype = (int)TensorDType.Float, Shape = ShapeProto(fullShape) };
        var start = 0L;
        for (var p = 0; p < partSizes.Length; p++)
        {
            var starts = new long[fullShape.Length];
            var lengths = fullShape.Select(_ => -1L).ToArray();
            starts[axis] = start;
            lengths[axis] = partSizes[p];
            var slice = new TensorSliceProto();
            for (var d = 0; d < fullShape.Length; d++)
                slice.Extent.Add(d == axis ? new TensorSliceProto.Types.Extent { Start = start, Length = partSizes[p] } : new TensorSliceProto.Types.Extent());
            full.Slices.Add(slice);

            var sliceShape = fullShape.ToArray();
            sliceShape[axis] = partSizes[p];
            var part = Cut(values, fullShape, axis, start, partSizes[p]);
            AddEntry(OrderedCode.EncodeTensorNameSlice(key, starts, lengths), (int)TensorDType.Float, sliceShape, MemoryMarshal.AsBytes(part.AsSpan()), p % numShards);
            start += partSizes[p];
        }
        _entries.Add(Encoding.UTF8.GetBytes(key), full);
    }

    /// <summary>Writes the data shards and variables.index.</summary>
    public void Finish()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(prefix))!);
        for (var s = 0; s < numShards; s++) File.WriteAllBytes(DataPath(s), _shards[s].ToArray());
        var header = new BundleHeaderProto { NumShards = numShards, Endianness = BundleHeaderProto.Types.Endianness.Little, Version = new VersionDef { Producer = 1 } };
        var rows = new[] { new KeyValuePair<byte[], byte[]>([], header.ToByteArray()) }
            .Concat(_entries.Select(e => new KeyValuePair<byte[], byte[]>(e.Key, e.Value.ToByteArray())));
        File.WriteAllBytes(IndexPath, LevelDbTableWriter.Write(rows, blockSize, snappy: snappyIndex));
    }

    /// <summary>A saved_model.pb with one StringToHashBucketFast node per count, in the graph and in a library function.</summary>
    public static void WriteSavedModel(string path, IEnumerable<long> graphBuckets, IEnumerable<long> functionBuckets)
    {
        var graph = new GraphDef { Library = new FunctionDefLibrary() };
        graph.Node.Add(new NodeDef { Name = "input", Op = "Placeholder" });
        foreach (var (n, i) in graphBuckets.Select((n, i) => (n, i))) graph.Node.Add(HashNode($"hash_{i}", n));
        var function = new FunctionDef();
        foreach (var (n, i) in functionBuckets.Select((n, i) => (n, i))) function.NodeDef.Add(HashNode($"fn_hash_{i}", n));
        graph.Library.Function.Add(function);
        var model = new SavedModel { SavedModelSchemaVersion = 1 };
        model.MetaGraphs.Add(new MetaGraphDef { GraphDef = graph });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    private static NodeDef HashNode(string name, long buckets)
    {
        var node = new NodeDef { Name = name, Op = SavedModelGraph.HashBucketOp };
        node.Input.Add("input");
        node.Attr.Add("num_buckets", new AttrValue { I = buckets });
        return node;
    }

    private void AddEntry(byte[] key, int dtype, long[] shape, ReadOnlySpan<byte> bytes, int shard, uint? crc = null)
    {
        var data = _shards[shard];
        _entries.Add(key, new BundleEntryProto
        {
            Dtype = dtype,
            Shape = ShapeProto(shape),
            ShardId = shard,
            Offset = data.Length,
            Size = bytes.Length,
            Crc32C = Crc32C.Mask(crc ?? Crc32C.Compute(bytes)),
        });
        data.Write(bytes);
    }

    private static TensorShapeProto ShapeProto(long[] shape)
    {
        var proto = new TensorShapeProto();
        foreach (var d in shape) proto.Dim.Add(new TensorShapeProto.Types.Dim { Size = d });
        return proto;
    }

    private static float[] Cut(float[] values, long[] shape, int axis, long start, long length)
    {
        var outer = shape.Take(axis).Aggregate(1L, (a, b) => a * b);
        var inner = shape.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        var part = new float[outer * length * inner];
        for (var o = 0L; o < outer; o++)
            Array.Copy(values, (o * shape[axis] + start) * inner, part, o * length * inner, length * inner);
        return part;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
