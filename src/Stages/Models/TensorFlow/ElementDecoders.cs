using System.Runtime.InteropServices;

namespace Lmev.Models.TensorFlow;

/// <summary>Turns whole little-endian elements of a data file into destination values.</summary>
internal delegate void ElementDecoder<T>(ReadOnlySpan<byte> source, Span<T> destination);

/// <summary>The decoders the reader uses; tensor bytes are little-endian (BundleHeaderProto.endianness LITTLE).</summary>
internal static class ElementDecoders
{
    static ElementDecoders()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("TensorBundleReader reads little-endian checkpoints on little-endian machines only.");
    }

    public static readonly ElementDecoder<float> Float32 = (s, d) => MemoryMarshal.Cast<byte, float>(s).CopyTo(d);

    public static readonly ElementDecoder<float> Float64ToFloat32 = (s, d) =>
    {
        var doubles = MemoryMarshal.Cast<byte, double>(s);
        for (var i = 0; i < doubles.Length; i++) d[i] = (float)doubles[i];
    };

    public static readonly ElementDecoder<long> Int64 = (s, d) => MemoryMarshal.Cast<byte, long>(s).CopyTo(d);

    public static readonly ElementDecoder<long> Int32ToInt64 = (s, d) =>
    {
        var ints = MemoryMarshal.Cast<byte, int>(s);
        for (var i = 0; i < ints.Length; i++) d[i] = ints[i];
    };

    public static readonly ElementDecoder<int> Int32 = (s, d) => MemoryMarshal.Cast<byte, int>(s).CopyTo(d);
}
