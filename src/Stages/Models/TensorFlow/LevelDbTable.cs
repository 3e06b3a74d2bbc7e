using System.Buffers.Binary;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// Reads every key/value of a LevelDB-format table, the format of a checkpoint's variables.index
/// (tensorflow/core/lib/io/format.h, table_format.cc; LevelDB's doc/table_format.md): data blocks, a
/// metaindex block and an index block whose entries hold the handles of the data blocks, then a
/// 48-byte footer. Every block is followed by a 5-byte trailer (compression type, masked CRC32C of the
/// contents and that type byte), which is checked.
/// </summary>
internal static class LevelDbTable
{
    public const ulong Magic = 0xdb4775248b80fb57UL;
    public const int FooterLength = 48;
    public const int TrailerLength = 5;

    /// <summary>All entries in table order (bytewise by key).</summary>
    public static List<KeyValuePair<byte[], byte[]>> ReadAll(string path)
    {
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LmevException($"{path}: cannot read the checkpoint index ({e.Message}); expected a TensorFlow variables.index file.", e);
        }
        if (file.Length < FooterLength)
            throw new LmevException($"{path}: expected a LevelDB table of at least {FooterLength} bytes (its footer), found {file.Length} bytes; the file is truncated.");

        var footer = file.AsSpan(file.Length - FooterLength);
        var magic = BinaryPrimitives.ReadUInt64LittleEndian(footer[40..]);
        if (magic != Magic)
            throw new LmevException($"{path}: footer magic expected 0x{Magic:x16}, found 0x{magic:x16}; this is not a TensorFlow variables.index (LevelDB table) or it is truncated.");
        var pos = 0;
        var metaindex = BlockHandle.Read(footer, ref pos, path, "metaindex handle in the footer");
        var index = BlockHandle.Read(footer, ref pos, path, "index handle in the footer");
        _ = metaindex; // Holds only filter-policy names, which TensorFlow does not write.

        var entries = new List<KeyValuePair<byte[], byte[]>>();
        var handles = new List<KeyValuePair<byte[], byte[]>>();
        LevelDbBlock.Decode(ReadBlock(file, index, path, "index block"), path, index.Offset, handles);
        foreach (var (_, value) in handles)
        {
            var p = 0;
            var data = BlockHandle.Read(value, ref p, path, $"a data-block handle in the index block at offset {index.Offset}");
            LevelDbBlock.Decode(ReadBlock(file, data, path, "data block"), path, data.Offset, entries);
        }
        return entries;
    }

    /// <summary>The block's contents, checked against its trailer and decompressed.</summary>
    private static ReadOnlySpan<byte> ReadBlock(byte[] file, BlockHandle handle, string path, string what)
    {
        var where = $"{what} at offset {handle.Offset} (size {handle.Size})";
        if (handle.Offset < 0 || handle.Size < 0 || handle.Offset + handle.Size + TrailerLength > file.Length - FooterLength)
            throw new LmevException($"{path}: {where} expected to end before the footer at {file.Length - FooterLength}, found it reaches {handle.Offset + handle.Size + TrailerLength}; the index is corrupt or truncated.");
        var contents = file.AsSpan((int)handle.Offset, (int)handle.Size);
        var type = file[handle.Offset + handle.Size];
        var stored = Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)(handle.Offset + handle.Size + 1), 4)));
        var actual = Crc32C.Extend(Crc32C.Compute(contents), [type]);
        if (stored != actual)
            throw new LmevException($"{path}: {where} has CRC32C 0x{actual:x8}, its trailer records 0x{stored:x8}; the checkpoint index is corrupt, download the model again.");
        return type switch
        {
            0 => contents,
            1 => Decompress(contents, path, where),
            _ => throw new LmevException($"{path}: {where} has compression type {type}; expected 0 (none) or 1 (Snappy)."),
        };
    }

    private static byte[] Decompress(ReadOnlySpan<byte> contents, string path, string where)
    {
        try { return Snappier.Snappy.DecompressToArray(contents); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new LmevException($"{path}: {where} is marked Snappy-compressed but does not decompress ({e.Message}).", e);
        }
    }
}
