using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>Where a block lies in a LevelDB table: two varint64s, offset and size (table/format.h).</summary>
internal readonly record struct BlockHandle(long Offset, long Size)
{
    public static BlockHandle Read(ReadOnlySpan<byte> data, ref int pos, string path, string what)
    {
        if (!Varint.TryRead(data, ref pos, out var offset) || !Varint.TryRead(data, ref pos, out var size) || offset > long.MaxValue || size > int.MaxValue)
            throw new LmevException($"{path}: {what} expected two varint64s (offset, size), found bytes that do not decode as such; the index is corrupt.");
        return new BlockHandle((long)offset, (long)size);
    }

    public void Write(Stream stream)
    {
        Varint.Write(stream, (ulong)Offset);
        Varint.Write(stream, (ulong)Size);
    }
}
