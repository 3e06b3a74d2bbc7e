using System.Text;
using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// Reads a TensorFlow checkpoint (a "tensor bundle", core/util/tensor_bundle/tensor_bundle.cc) without
/// TensorFlow: <c>prefix.index</c>, a LevelDB table of BundleEntryProto by key, and the data shards
/// <c>prefix.data-NNNNN-of-NNNNN</c> holding the raw little-endian tensor bytes. Tensors are streamed
/// through a bounded buffer and every CRC32C is checked as the bytes go by.
/// </summary>
public sealed class TensorBundleReader : IDisposable
{
    private readonly string _prefix;
    private readonly Dictionary<string, BundleEntryProto> _entries;   // by raw key bytes as Latin-1, slice parts included
    private Dictionary<string, BundleTensor> _tensors;                // by Key
    private readonly TensorBundleShards _shards;

    private TensorBundleReader(string prefix, int numShards, Dictionary<string, BundleEntryProto> entries, List<BundleTensor> tensors)
    {
        _prefix = prefix;
        NumShards = numShards;
        _entries = entries;
        Tensors = tensors;
        _tensors = tensors.ToDictionary(t => t.Key, StringComparer.Ordinal);
        _shards = new TensorBundleShards(prefix, numShards);
    }

    /// <param name="prefix">The path without extension, e.g. <c>model/variables/variables</c>.</param>
    public static TensorBundleReader Open(string prefix)
    {
        var indexPath = IndexPath(prefix);
        if (!File.Exists(indexPath))
            throw new LmevException($"{indexPath}: not found; expected a TensorFlow checkpoint index at <prefix>.index (the prefix is the path without extension, e.g. <model>/variables/variables).");
        var rows = LevelDbTable.ReadAll(indexPath);
        if (rows.Count == 0 || rows[0].Key.Length != 0)
            throw new LmevException($"{indexPath}: expected the BundleHeaderProto under the empty key \"\" as the first entry, found {(rows.Count == 0 ? "no entries" : $"key \"{Encoding.UTF8.GetString(rows[0].Key)}\"")}.");
        var header = Parse(BundleHeaderProto.Parser, rows[0].Value, indexPath, "");
        if (header.Endianness != BundleHeaderProto.Types.Endianness.Little)
            throw new LmevException($"{indexPath}: header endianness expected LITTLE, found {header.Endianness}; big-endian checkpoints are not supported.");
        if (header.Version?.MinConsumer > 1)
            throw new LmevException($"{indexPath}: header version.min_consumer is {header.Version.MinConsumer}; this reader understands bundle format version 1 (TensorFlow's kTensorBundleVersion).");
        if (header.NumShards < 1)
            throw new LmevException($"{indexPath}: header num_shards expected at least 1, found {header.NumShards}.");

        var entries = new Dictionary<string, BundleEntryProto>(rows.Count, StringComparer.Ordinal);
        var tensors = new List<BundleTensor>();
        foreach (var (rawKey, value) in rows.Skip(1))
        {
            var key = Encoding.UTF8.GetString(rawKey);
            var entry = Parse(BundleEntryProto.Parser, value, indexPath, key);
            entries[Encoding.Latin1.GetString(rawKey)] = entry;
            if (rawKey[0] == 0x00) continue; // A slice of a partitioned variable, found through its full entry.
            tensors.Add(new BundleTensor(key, entry.Dtype, Shape(entry, indexPath, key), 0, entry.Slices.Count > 0));
        }
        var reader = new TensorBundleReader(prefix, header.NumShards, entries, tensors);
        // Sizes come from the slices' entries; finding them also checks every partitioned variable's slices now.
        reader.Tensors = tensors.Select(t => t with { ByteSize = reader.Parts(t).Sum(p => p.Entry.Size) }).ToList();
        reader._tensors = reader.Tensors.ToDictionary(t => t.Key, StringComparer.Ordinal);
        return reader;
    }

    public int NumShards { get; }

    /// <summary>Every tensor, sorted by key; the header and the slices of partitioned variables are left out.</summary>
    public IReadOnlyList<BundleTensor> Tensors { get; private set; }

    public BundleTensor Get(string key)
    {
        if (_tensors.TryGetValue(key, out var t)) return t;
        var close = Tensors.Select(x => x.Key).OrderBy(k => Suggestions.Distance(k, key)).ThenBy(k => k, StringComparer.Ordinal).Take(5);
        throw new LmevException($"{IndexPath(_prefix)}: no tensor \"{key}\" among {Tensors.Count}; closest keys: {string.Join(", ", close.Select(k => $"\"{k}\""))}.");
    }

    /// <summary>Streams the tensor's bytes (every slice of a partitioned one) and checks their CRC32C.</summary>
    public void Verify(BundleTensor t)
    {
        if (t.DType == (int)TensorDType.String) { _ = ReadBytes(t); return; }
        if (t.DType == 21) // DT_VARIANT has per-element CRCs (WriteVariantTensor); lmev never needs its values.
            throw new LmevException($"{IndexPath(_prefix)}: tensor \"{t.Key}\" has dtype {t.DTypeName} (DT_VARIANT), which this reader does not verify.");
        foreach (var part in Parts(t)) _shards.Stream(part.Key, part.Entry, 1, SliceLayout.Whole([part.Entry.Size]), Span<byte>.Empty, null);
    }

    /// <summary>A float32 or float64 tensor (float64 narrowed chunk by chunk) into a new array, row-major, slices assembled.</summary>
    public float[] ReadAsFloat32(BundleTensor t)
    {
        var values = new float[Count(t)];
        ReadAsFloat32(t, values);
        return values;
    }

    /// <summary>
    /// Streams a float32 or float64 tensor into <paramref name="destination"/> (row-major, the full shape,
    /// slices assembled), checking CRCs as it reads; float64 is narrowed chunk by chunk, so memory stays
    /// the destination plus a 1 MB buffer.
    /// </summary>
    public void ReadAsFloat32(BundleTensor t, Span<float> destination)
    {
        switch (t.DType)
        {
            case (int)TensorDType.Float: Read(t, destination, 4, ElementDecoders.Float32); break;
            case (int)TensorDType.Double: Read(t, destination, 8, ElementDecoders.Float64ToFloat32); break;
            default: throw WrongDType(t, "float32 or float64");
        }
    }

    public long[] ReadInt64(BundleTensor t)
    {
        var values = new long[Count(t)];
        switch (t.DType)
        {
            case (int)TensorDType.Int64: Read(t, values.AsSpan(), 8, ElementDecoders.Int64); break;
            case (int)TensorDType.Int32: Read(t, values.AsSpan(), 4, ElementDecoders.Int32ToInt64); break;
            default: throw WrongDType(t, "int64 or int32");
        }
        return values;
    }

    public int[] ReadInt32(BundleTensor t)
    {
        if (t.DType != (int)TensorDType.Int32) throw WrongDType(t, "int32");
        var values = new int[Count(t)];
        Read(t, values.AsSpan(), 4, ElementDecoders.Int32);
        return values;
    }

    /// <summary>A string tensor's elements decoded as UTF-8 (use <see cref="ReadBytes"/> for binary ones such as serialized protos).</summary>
    public string[] ReadStrings(BundleTensor t) => ReadBytes(t).Select(b => Encoding.UTF8.GetString(b)).ToArray();

    /// <summary>A string tensor's elements as raw bytes, row-major.</summary>
    public byte[][] ReadBytes(BundleTensor t)
    {
        if (t.DType != (int)TensorDType.String) throw WrongDType(t, "string");
        if (t.IsSliced)
            throw new LmevException($"{IndexPath(_prefix)}: tensor \"{t.Key}\" is a partitioned string variable; expected an unpartitioned one (assembling string slices is not supported).");
        var part = Parts(t).Single();
        return _shards.ReadStrings(part.Key, part.Entry, Count(t));
    }

    public void Dispose() => _shards.Dispose();

    internal static string IndexPath(string prefix) => prefix + ".index";

    private void Read<T>(BundleTensor t, Span<T> destination, int elementSize, ElementDecoder<T> decode)
    {
        var count = Count(t);
        if (destination.Length != count)
            throw new LmevException($"{IndexPath(_prefix)}: tensor \"{t.Key}\" [{string.Join(",", t.Shape)}] has {count} elements; the destination expected to match holds {destination.Length}.");
        foreach (var part in Parts(t)) _shards.Stream(part.Key, part.Entry, elementSize, part.Layout, destination, decode);
    }

    /// <summary>The stored pieces of a tensor: itself, or each slice of a partitioned variable with where it goes.</summary>
    private List<(string Key, BundleEntryProto Entry, SliceLayout Layout)> Parts(BundleTensor t)
    {
        var rawKey = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(t.Key));
        if (!_entries.TryGetValue(rawKey, out var entry)) throw new LmevException($"{IndexPath(_prefix)}: no tensor \"{t.Key}\" in this checkpoint; get tensors from this reader's Tensors or Get.");
        if (entry.Slices.Count == 0) return [(t.Key, entry, SliceLayout.Whole(t.Shape))];

        var parts = new List<(string, BundleEntryProto, SliceLayout)>();
        var covered = 0L;
        foreach (var slice in entry.Slices)
        {
            if (slice.Extent.Count != t.Shape.Length)
                throw new LmevException($"{IndexPath(_prefix)}: tensor \"{t.Key}\" of rank {t.Shape.Length} lists a slice with {slice.Extent.Count} extents; expected one per dimension.");
            var starts = slice.Extent.Select(e => e.Start).ToArray();
            var lengths = slice.Extent.Select((e, d) => e.HasLengthCase == TensorSliceProto.Types.Extent.HasLengthOneofCase.Length ? e.Length : t.Shape[d]).ToArray();
            var keyLengths = slice.Extent.Select(e => e.HasLengthCase == TensorSliceProto.Types.Extent.HasLengthOneofCase.Length ? e.Length : -1L).ToArray();
            for (var d = 0; d < starts.Length; d++)
                if (starts[d] < 0 || lengths[d] < 0 || starts[d] + lengths[d] > t.Shape[d])
                    throw new LmevException($"{IndexPath(_prefix)}: tensor \"{t.Key}\" [{string.Join(",", t.Shape)}] lists a slice starting at {starts[d]} of length {lengths[d]} in dimension {d}; expected it within the shape.");
            var sliceKey = Encoding.Latin1.GetString(OrderedCode.EncodeTensorNameSlice(t.Key, starts, keyLengths));
            var label = $"{t.Key} slice [{string.Join(",", starts.Zip(lengths, (s, l) => $"{s}:{s + l}"))}]";
            if (!_entries.TryGetValue(sliceKey, out var sliceEntry))
                throw new LmevException($"{IndexPath(_prefix)}: tensor \"{t.Key}\" lists {label}, but the index holds no entry under its EncodeTensorNameSlice key; the checkpoint is incomplete.");
            if (sliceEntry.Dtype != entry.Dtype)
                throw new LmevException($"{IndexPath(_prefix)}: {label} has dtype {sliceEntry.Dtype}; expected the variable's dtype {entry.Dtype}.");
            var layout = new SliceLayout(t.Shape, starts, lengths);
            covered += layout.ElementCount;
            parts.Add((label, sliceEntry, layout));
        }
        if (covered != t.ElementCount)
            throw new LmevException($"{IndexPath(_prefix)}: the slices of tensor \"{t.Key}\" [{string.Join(",", t.Shape)}] hold {covered} elements; expected {t.ElementCount} (disjoint slices covering the variable).");
        return parts;
    }

    private int Count(BundleTensor t)
    {
        var count = t.ElementCount;
        if (count > Array.MaxLength)
            throw new LmevException($"{IndexPath(_prefix)}: tensor \"{t.Key}\" [{string.Join(",", t.Shape)}] has {count} elements; at most {Array.MaxLength} fit in one array.");
        return (int)count;
    }

    private LmevException WrongDType(BundleTensor t, string expected) =>
        new($"{IndexPath(_prefix)}: tensor \"{t.Key}\" has {t.DTypeName}; expected {expected}.");

    private static long[] Shape(BundleEntryProto entry, string indexPath, string key)
    {
        if (entry.Shape is null) return [];
        if (entry.Shape.UnknownRank || entry.Shape.Dim.Any(d => d.Size < 0))
            throw new LmevException($"{indexPath}: tensor \"{key}\" expected a fully known shape, found {(entry.Shape.UnknownRank ? "unknown rank" : $"[{string.Join(",", entry.Shape.Dim.Select(d => d.Size))}]")}.");
        return entry.Shape.Dim.Select(d => d.Size).ToArray();
    }

    private static T Parse<T>(Google.Protobuf.MessageParser<T> parser, byte[] value, string indexPath, string key) where T : Google.Protobuf.IMessage<T>
    {
        try { return parser.ParseFrom(value); }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new LmevException($"{indexPath}: the value of key \"{key}\" expected a {typeof(T).Name}, found bytes that do not parse ({e.Message}).", e);
        }
    }
}
