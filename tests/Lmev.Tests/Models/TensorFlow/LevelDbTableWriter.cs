using System.Buffers.Binary;
using Lmev.Models.TensorFlow;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>An uncompressed LevelDB table as TensorFlow's table::TableBuilder writes it (table_builder.cc, block_builder.cc).</summary>
public static class LevelDbTableWriter
{
    /// <param name="snappy">Compress data blocks with Snappy (type 1), as LevelDB does by default; TensorFlow writes none.</param>
    public static byte[] Write(IEnumerable<KeyValuePair<byte[], byte[]>> sortedRows, int blockSize = 4096, int restartInterval = 16, bool snappy = false)
    {
        var file = new MemoryStream();
        var index = new List<KeyValuePair<byte[], byte[]>>();
        var block = new List<KeyValuePair<byte[], byte[]>>();
        var size = 0;
        foreach (var row in sortedRows)
        {
            block.Add(row);
            size += row.Key.Length + row.Value.Length + 3;
            if (size >= blockSize) Flush();
        }
        if (block.Count > 0) Flush();
        var metaindex = WriteBlock(file, []);
        var indexHandle = WriteBlock(file, BlockBytes(index, 1));

        var footer = new MemoryStream();
        metaindex.Write(footer);
        indexHandle.Write(footer);
        footer.SetLength(40);
        footer.Position = 40;
        Span<byte> magic = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(magic, LevelDbTable.Magic);
        footer.Write(magic);
        file.Write(footer.ToArray());
        return file.ToArray();

        void Flush()
        {
            var handle = WriteBlock(file, BlockBytes(block, restartInterval), snappy);
            var value = new MemoryStream();
            handle.Write(value);
            // The last key is a valid separator: >= every key of this block, < every key of the next.
            index.Add(new(block[^1].Key, value.ToArray()));
            block.Clear();
            size = 0;
        }
    }

    /// <summary>Prefix-compressed entries, the restart offsets and their count.</summary>
    public static byte[] BlockBytes(List<KeyValuePair<byte[], byte[]>> rows, int restartInterval)
    {
        var block = new MemoryStream();
        var restarts = new List<uint> { 0 };
        var last = Array.Empty<byte>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (key, value) = rows[i];
            var shared = 0;
            if (i % restartInterval == 0) { if (i > 0) restarts.Add((uint)block.Length); }
            else while (shared < Math.Min(last.Length, key.Length) && last[shared] == key[shared]) shared++;
            Varint.Write(block, (ulong)shared);
            Varint.Write(block, (ulong)(key.Length - shared));
            Varint.Write(block, (ulong)value.Length);
            block.Write(key, shared, key.Length - shared);
            block.Write(value);
            last = key;
        }
        Span<byte> word = stackalloc byte[4];
        foreach (var r in restarts) { BinaryPrimitives.WriteUInt32LittleEndian(word, r); block.Write(word); }
        BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)restarts.Count);
        block.Write(word);
        return block.ToArray();
    }

    private static BlockHandle WriteBlock(Stream file, byte[] contents, bool snappy = false)
    {
        if (contents.Length == 0) contents = BlockBytes([], 1);
        if (snappy) contents = Snappier.Snappy.CompressToArray(contents);
        var handle = new BlockHandle(file.Position, contents.Length);
        file.Write(contents);
        var trailer = new byte[5];
        trailer[0] = snappy ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(1), Crc32C.Mask(Crc32C.Extend(Crc32C.Compute(contents), trailer.AsSpan(0, 1))));
        file.Write(trailer);
        return handle;
    }
}
