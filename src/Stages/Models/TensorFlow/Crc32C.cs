using System.Numerics;
using System.Runtime.InteropServices;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// CRC-32C (Castagnoli), as TensorFlow's crc32c::Extend/Mask (tsl/lib/hash/crc32c.h) and LevelDB use it.
/// BitOperations.Crc32C is the bare CRC instruction (hardware on x64 SSE4.2 and Arm64), without the
/// standard pre- and post-inversion, which Extend adds; System.IO.Hashing offers only CRC-32 and CRC-64.
/// </summary>
internal static class Crc32C
{
    private const uint MaskDelta = 0xa282ead8u;

    public static uint Extend(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var w in words) c = BitOperations.Crc32C(c, BitConverter.IsLittleEndian ? w : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(w));
        foreach (var b in data[(words.Length * 8)..]) c = BitOperations.Crc32C(c, b);
        return ~c;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Extend(0, data);

    /// <summary>Stored CRCs are masked so that a CRC of data that itself holds CRCs stays well distributed.</summary>
    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + MaskDelta;

    public static uint Unmask(uint masked)
    {
        var rot = masked - MaskDelta;
        return (rot >> 17) | (rot << 15);
    }
}
