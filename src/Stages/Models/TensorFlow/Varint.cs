namespace Lmev.Models.TensorFlow;

/// <summary>Base-128 varints, little-endian groups of 7 bits (LevelDB util/coding.h, protobuf wire format).</summary>
internal static class Varint
{
    /// <summary>Reads a varint at <paramref name="pos"/> and advances it; false when the bytes end first or it is longer than 10 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && pos < data.Length; shift += 7)
        {
            var b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    /// <summary>Reads a varint from a stream; false at end of stream or after 10 bytes.</summary>
    public static bool TryRead(Stream stream, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0) return false;
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    public static void Write(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
