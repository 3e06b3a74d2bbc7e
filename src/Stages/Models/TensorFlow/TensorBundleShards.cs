using System.Buffers;
using System.Buffers.Binary;
using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// The data files of a bundle, <c>prefix.data-%05d-of-%05d</c> (tensor_bundle naming.cc), opened on first
/// use. Reads a tensor's byte range in 1 MB chunks and checks the entry's CRC32C over exactly those bytes.
/// </summary>
internal sealed class TensorBundleShards(string prefix, int numShards) : IDisposable
{
    private const int ChunkBytes = 1 << 20;
    private readonly Dictionary<int, FileStream> _files = [];

    public string DataPath(int shard) => $"{prefix}.data-{shard:D5}-of-{numShards:D5}";

    /// <summary>
    /// Streams the entry's bytes; with a decoder, element k of the stored piece goes to the destination
    /// index the layout gives it. Throws naming the key and the data file when the CRC differs.
    /// </summary>
    public void Stream<T>(string key, BundleEntryProto entry, int elementSize, SliceLayout layout, Span<T> destination, ElementDecoder<T>? decode)
    {
        var path = DataPath(entry.ShardId);
        if (entry.Size != layout.ElementCount * elementSize)
            throw new LmevException($"{path}: tensor \"{key}\" has {entry.Size} bytes in variables.index; expected {layout.ElementCount} elements × {elementSize} bytes = {layout.ElementCount * elementSize}.");
        var file = Open(entry, key);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var usable = buffer.Length / elementSize * elementSize;
            long remaining = entry.Size, run = 0, inRun = 0;
            var crc = 0u;
            while (remaining > 0)
            {
                var n = (int)Math.Min(usable, remaining);
                ReadExactly(file, buffer.AsSpan(0, n), path, key, entry);
                crc = Crc32C.Extend(crc, buffer.AsSpan(0, n));
                remaining -= n;
                if (decode is null) continue;
                var source = new ReadOnlySpan<byte>(buffer, 0, n);
                while (!source.IsEmpty)
                {
                    var take = (int)Math.Min(source.Length / elementSize, layout.RunLength - inRun);
                    decode(source[..(take * elementSize)], destination.Slice((int)(layout.RunStart(run) + inRun), take));
                    source = source[(take * elementSize)..];
                    inRun += take;
                    if (inRun == layout.RunLength) { run++; inRun = 0; }
                }
            }
            CheckCrc(crc, entry, path, key);
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>
    /// A string tensor (WriteStringTensor in tensor_bundle.cc): varint64 lengths, a masked CRC32C of the
    /// lengths (each as a little-endian uint32, or uint64 above 4 GiB), then the bytes. The entry's CRC
    /// covers those lengths as integers, the 4 length-checksum bytes and the string bytes.
    /// </summary>
    public byte[][] ReadStrings(string key, BundleEntryProto entry, int count)
    {
        var path = DataPath(entry.ShardId);
        var values = new byte[count][];
        if (entry.Size == 0) return values.Select(_ => Array.Empty<byte>()).ToArray(); // TensorFlow writes nothing for no bytes.
        var file = Open(entry, key);
        using var input = new BufferedStream(new ReadOnlyWindow(file, entry.Size), 64 << 10);
        var lengths = new ulong[count];
        var crc = 0u;
        Span<byte> word = stackalloc byte[8];
        for (var i = 0; i < count; i++)
        {
            if (!Varint.TryRead(input, out lengths[i]) || lengths[i] > (ulong)entry.Size)
                throw new LmevException($"{path}: string tensor \"{key}\", length of element {i}: expected a varint64 within the entry's {entry.Size} bytes, found corrupt data.");
            var width = lengths[i] <= uint.MaxValue ? 4 : 8;
            BinaryPrimitives.WriteUInt64LittleEndian(word, lengths[i]);
            crc = Crc32C.Extend(crc, word[..width]);
        }
        ReadExactly(input, word[..4], path, key, entry);
        var lengthChecksum = Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(word));
        if (lengthChecksum != crc)
            throw new LmevException($"{path}: string tensor \"{key}\": the lengths' CRC32C is 0x{crc:x8}, the file records 0x{lengthChecksum:x8}; the data file is corrupt, download the model again.");
        crc = Crc32C.Extend(crc, word[..4]);
        for (var i = 0; i < count; i++)
        {
            values[i] = new byte[lengths[i]];
            ReadExactly(input, values[i], path, key, entry);
            crc = Crc32C.Extend(crc, values[i]);
        }
        CheckCrc(crc, entry, path, key);
        return values;
    }

    public void Dispose()
    {
        foreach (var f in _files.Values) f.Dispose();
        _files.Clear();
    }

    private FileStream Open(BundleEntryProto entry, string key)
    {
        if (entry.ShardId < 0 || entry.ShardId >= numShards)
            throw new LmevException($"{prefix}.index: tensor \"{key}\" is in shard {entry.ShardId}; expected a shard below num_shards = {numShards}.");
        if (!_files.TryGetValue(entry.ShardId, out var file))
        {
            var path = DataPath(entry.ShardId);
            try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LmevException($"{path}: cannot open the data file that holds tensor \"{key}\" ({e.Message}); expected it beside {prefix}.index.", e);
            }
            _files[entry.ShardId] = file;
        }
        if (entry.Offset < 0 || entry.Offset + entry.Size > file.Length)
            throw new LmevException($"{DataPath(entry.ShardId)}: tensor \"{key}\" expected at bytes [{entry.Offset}, {entry.Offset + entry.Size}), found a file of {file.Length} bytes; the data file is truncated or does not belong to this index.");
        file.Position = entry.Offset;
        return file;
    }

    private static void ReadExactly(Stream stream, Span<byte> into, string path, string key, BundleEntryProto entry)
    {
        if (stream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) < into.Length)
            throw new LmevException($"{path}: tensor \"{key}\" ended early; expected {entry.Size} bytes from offset {entry.Offset}.");
    }

    private static void CheckCrc(uint actual, BundleEntryProto entry, string path, string key)
    {
        var expected = Crc32C.Unmask(entry.Crc32C);
        if (actual != expected)
            throw new LmevException($"{path}: tensor \"{key}\" (bytes [{entry.Offset}, {entry.Offset + entry.Size})) has CRC32C 0x{actual:x8}, but variables.index records 0x{expected:x8}; the data file is corrupt or belongs to another checkpoint, download the model again.");
    }
}
