using System.Text;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// The key under which a TF1 Saver stores one slice of a partitioned variable:
/// checkpoint::EncodeTensorNameSlice (core/util/saved_tensor_slice_util.cc) built from OrderedCode
/// (core/lib/strings/ordered_code.cc): NumIncreasing(0), String(name), NumIncreasing(rank), then per
/// dimension SignedNumIncreasing(start) and SignedNumIncreasing(length), length -1 for a full extent.
/// The leading 0x00 byte sorts every slice key before the ordinary keys.
/// </summary>
internal static class OrderedCode
{
    public static byte[] EncodeTensorNameSlice(string name, IReadOnlyList<long> starts, IReadOnlyList<long> lengths)
    {
        var buffer = new List<byte>(name.Length + 8 + starts.Count * 4);
        WriteNumIncreasing(buffer, 0);
        WriteString(buffer, Encoding.UTF8.GetBytes(name));
        WriteNumIncreasing(buffer, (ulong)starts.Count);
        for (var d = 0; d < starts.Count; d++)
        {
            WriteSignedNumIncreasing(buffer, starts[d]);
            WriteSignedNumIncreasing(buffer, lengths[d]);
        }
        return [.. buffer];
    }

    /// <summary>0x00 and 0xff are escaped as 00 ff and ff 00; the string ends with 00 01.</summary>
    public static void WriteString(List<byte> dest, ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (b == 0x00) { dest.Add(0x00); dest.Add(0xff); }
            else if (b == 0xff) { dest.Add(0xff); dest.Add(0x00); }
            else dest.Add(b);
        }
        dest.Add(0x00);
        dest.Add(0x01);
    }

    /// <summary>A length byte, then the value big-endian without leading zero bytes (0 is the single byte 00).</summary>
    public static void WriteNumIncreasing(List<byte> dest, ulong value)
    {
        var len = 0;
        for (var v = value; v > 0; v >>= 8) len++;
        dest.Add((byte)len);
        for (var i = len - 1; i >= 0; i--) dest.Add((byte)(value >> (8 * i)));
    }

    /// <summary>
    /// Big-endian two's complement in n bytes, n = bits/7 + 1 where bits counts the significant bits of
    /// the value (of ~value when negative), with the leading n-1 bits after the sign flipped to announce
    /// the length: [-64, 64) is one byte 0x80 ^ value, [-2^13, 2^13) two bytes, and so on to ten.
    /// </summary>
    public static void WriteSignedNumIncreasing(List<byte> dest, long value)
    {
        var x = (ulong)(value < 0 ? ~value : value);
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(x);
        var len = bits / 7 + 1;
        Span<byte> buf = stackalloc byte[10];
        var sign = value < 0 ? (byte)0xff : (byte)0x00;
        buf[0] = sign;
        buf[1] = sign;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(buf[2..], value);
        var begin = buf[(10 - len)..];
        // Header bits: len-1 ones after the sign bit, i.e. the top len bits of a 16-bit 0xffff.. pattern.
        var header = (ushort)(0xffff << (16 - Math.Min(len, 16)));
        begin[0] ^= (byte)(header >> 8);
        if (len >= 2) begin[1] ^= (byte)header;
        foreach (var b in begin) dest.Add(b);
    }
}
