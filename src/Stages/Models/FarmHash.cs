using System.Buffers.Binary;

namespace Lmev.Models;

/// <summary>
/// FarmHash's <c>Fingerprint64</c>, which is <c>farmhashna::Hash64</c> (Geoff Pike, github.com/google/farmhash,
/// src/farmhash.cc). TensorFlow hashes strings with it in <c>tf.strings.to_hash_bucket_fast</c> and in the
/// out-of-vocabulary buckets of <c>StaticVocabularyTable</c>, which is how the TF-Hub NNLM modules map unknown
/// tokens to rows. A fingerprint is fixed forever, unlike FarmHash's <c>Hash64</c>, which may change between
/// versions and platforms. Words are read little-endian, as on every platform TensorFlow runs on.
/// </summary>
public static class FarmHash
{
    // Primes between 2^63 and 2^64 (farmhash.cc's k0, k1, k2).
    private const ulong K0 = 0xc3a5c85c97cb3127UL;
    private const ulong K1 = 0xb492b66fbe98f273UL;
    private const ulong K2 = 0x9ae16a3b2f90404fUL;

    public static ulong Fingerprint64(ReadOnlySpan<byte> s)
    {
        var len = s.Length;
        if (len <= 16) return HashLen0To16(s);
        if (len <= 32) return HashLen17To32(s);
        if (len <= 64) return HashLen33To64(s);
        return HashLongerThan64(s);
    }

    /// <summary>The bucket that <c>tf.strings.to_hash_bucket_fast</c> gives <paramref name="s"/>.</summary>
    public static long Bucket(ReadOnlySpan<byte> s, long numBuckets) => (long)(Fingerprint64(s) % (ulong)numBuckets);

    private static ulong Fetch64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

    private static ulong Fetch32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    // farmhash.cc rotates right.
    private static ulong Rotate(ulong v, int shift) => ulong.RotateRight(v, shift);

    private static ulong ShiftMix(ulong v) => v ^ (v >> 47);

    private static ulong HashLen16(ulong u, ulong v, ulong mul)
    {
        var a = (u ^ v) * mul;
        a ^= a >> 47;
        var b = (v ^ a) * mul;
        b ^= b >> 47;
        return b * mul;
    }

    private static ulong HashLen0To16(ReadOnlySpan<byte> s)
    {
        var len = (ulong)s.Length;
        if (len >= 8)
        {
            var mul = K2 + len * 2;
            var a = Fetch64(s, 0) + K2;
            var b = Fetch64(s, s.Length - 8);
            var c = Rotate(b, 37) * mul + a;
            var d = (Rotate(a, 25) + b) * mul;
            return HashLen16(c, d, mul);
        }
        if (len >= 4)
        {
            var mul = K2 + len * 2;
            var a = Fetch32(s, 0);
            return HashLen16(len + (a << 3), Fetch32(s, s.Length - 4), mul);
        }
        if (len > 0)
        {
            uint a = s[0], b = s[s.Length >> 1], c = s[s.Length - 1];
            var y = a + (b << 8);
            var z = (uint)len + (c << 2);
            return ShiftMix(y * K2 ^ z * K0) * K2;
        }
        return K2;
    }

    private static ulong HashLen17To32(ReadOnlySpan<byte> s)
    {
        var len = s.Length;
        var mul = K2 + (ulong)len * 2;
        var a = Fetch64(s, 0) * K1;
        var b = Fetch64(s, 8);
        var c = Fetch64(s, len - 8) * mul;
        var d = Fetch64(s, len - 16) * K2;
        return HashLen16(Rotate(a + b, 43) + Rotate(c, 30) + d, a + Rotate(b + K2, 18) + c, mul);
    }

    private static ulong HashLen33To64(ReadOnlySpan<byte> s)
    {
        var len = s.Length;
        var mul = K2 + (ulong)len * 2;
        var a = Fetch64(s, 0) * K2;
        var b = Fetch64(s, 8);
        var c = Fetch64(s, len - 8) * mul;
        var d = Fetch64(s, len - 16) * K2;
        var y = Rotate(a + b, 43) + Rotate(c, 30) + d;
        var z = HashLen16(y, a + Rotate(b + K2, 18) + c, mul);
        var e = Fetch64(s, 16) * mul;
        var f = Fetch64(s, 24);
        var g = (y + Fetch64(s, len - 32)) * mul;
        var h = (z + Fetch64(s, len - 24)) * mul;
        return HashLen16(Rotate(e + f, 43) + Rotate(g, 30) + h, e + Rotate(f + a, 18) + g, mul);
    }

    // Two 64-bit halves of a 16-byte state, as farmhash.cc's WeakHashLen32WithSeeds returns them.
    private static (ulong First, ulong Second) WeakHashLen32WithSeeds(ReadOnlySpan<byte> s, int at, ulong a, ulong b)
    {
        ulong w = Fetch64(s, at), x = Fetch64(s, at + 8), y = Fetch64(s, at + 16), z = Fetch64(s, at + 24);
        a += w;
        b = Rotate(b + a + z, 21);
        var c = a;
        a += x;
        a += y;
        b += Rotate(a, 44);
        return (a + z, b + c);
    }

    // Over 64 bytes: 64-byte blocks through a 56-byte state (v, w, x, y, z), then the last 64 bytes again.
    private static ulong HashLongerThan64(ReadOnlySpan<byte> s)
    {
        const ulong seed = 81;
        var len = s.Length;
        var x = seed;
        var y = unchecked(seed * K1 + 113);
        var z = ShiftMix(y * K2 + 113) * K2;
        (ulong First, ulong Second) v = (0, 0), w = (0, 0);
        x = x * K2 + Fetch64(s, 0);

        // Blocks until 1 to 64 bytes are left; those are covered by the last 64 bytes of the input.
        var end = (len - 1) / 64 * 64;
        var at = 0;
        do
        {
            x = Rotate(x + y + v.First + Fetch64(s, at + 8), 37) * K1;
            y = Rotate(y + v.Second + Fetch64(s, at + 48), 42) * K1;
            x ^= w.Second;
            y += v.First + Fetch64(s, at + 40);
            z = Rotate(z + w.First, 33) * K1;
            v = WeakHashLen32WithSeeds(s, at, v.Second * K1, x + w.First);
            w = WeakHashLen32WithSeeds(s, at + 32, z + w.Second, y + Fetch64(s, at + 16));
            (z, x) = (x, z);
            at += 64;
        } while (at != end);

        var mul = K1 + ((z & 0xff) << 1);
        at = len - 64;
        w.First += (ulong)((len - 1) & 63);
        v.First += w.First;
        w.First += v.First;
        x = Rotate(x + y + v.First + Fetch64(s, at + 8), 37) * mul;
        y = Rotate(y + v.Second + Fetch64(s, at + 48), 42) * mul;
        x ^= w.Second * 9;
        y += v.First * 9 + Fetch64(s, at + 40);
        z = Rotate(z + w.First, 33) * mul;
        v = WeakHashLen32WithSeeds(s, at, v.Second * mul, x + w.First);
        w = WeakHashLen32WithSeeds(s, at + 32, z + w.Second, y + Fetch64(s, at + 16));
        (z, x) = (x, z);
        return HashLen16(HashLen16(v.First, w.First, mul) + ShiftMix(y) * K0 + z, HashLen16(v.Second, w.Second, mul) + x, mul);
    }
}
