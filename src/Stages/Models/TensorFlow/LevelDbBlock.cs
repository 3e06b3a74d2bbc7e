using System.Buffers.Binary;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// The entries of one LevelDB block (table/block.cc): prefix-compressed entries (shared key length,
/// unshared key length, value length as varint32s, the unshared key bytes, the value), then the
/// restart offsets (fixed32 each) and their count (fixed32). Every restart entry shares nothing.
/// </summary>
internal static class LevelDbBlock
{
    public static void Decode(ReadOnlySpan<byte> block, string path, long blockOffset, List<KeyValuePair<byte[], byte[]>> into)
    {
        var where = $"block at offset {blockOffset}";
        if (block.Length < 4)
            throw new LmevException($"{path}: {where} expected at least 4 bytes (its restart count), found {block.Length}.");
        var restarts = BinaryPrimitives.ReadUInt32LittleEndian(block[^4..]);
        var limit = block.Length - 4 - 4L * restarts;
        if (restarts == 0 || limit < 0)
            throw new LmevException($"{path}: {where} of {block.Length} bytes declares {restarts} restart points; expected at least 1 that fit in the block.");
        var entries = block[..(int)limit];
        var key = Array.Empty<byte>();
        var pos = 0;
        while (pos < entries.Length)
        {
            var start = pos;
            if (!Varint.TryRead(entries, ref pos, out var shared) || !Varint.TryRead(entries, ref pos, out var unshared) || !Varint.TryRead(entries, ref pos, out var valueLength)
                || shared > (ulong)key.Length || unshared + valueLength > (ulong)(entries.Length - pos))
                throw new LmevException($"{path}: {where}, entry at byte {start}: expected shared/unshared/value lengths within the block, found a corrupt entry header.");
            var next = new byte[(int)shared + (int)unshared];
            key.AsSpan(0, (int)shared).CopyTo(next);
            entries.Slice(pos, (int)unshared).CopyTo(next.AsSpan((int)shared));
            pos += (int)unshared;
            into.Add(new(next, entries.Slice(pos, (int)valueLength).ToArray()));
            pos += (int)valueLength;
            key = next;
        }
    }
}
