namespace Lmev.Training;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", OOPSLA 2014;
/// constants as in Vigna's reference splitmix64.c). Used for the per-epoch shuffles so that they
/// depend on the seed alone, not on a runtime's System.Random implementation.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n), without modulo bias (Lemire, "Fast Random Integer Generation in an Interval", 2019).</summary>
    public ulong NextBelow(ulong n)
    {
        ArgumentOutOfRangeException.ThrowIfZero(n);
        ulong high = Math.BigMul(Next(), n, out ulong low);
        if (low < n)
        {
            ulong threshold = (0UL - n) % n;
            while (low < threshold)
                high = Math.BigMul(Next(), n, out low);
        }
        return high;
    }

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates, Durstenfeld's in-place form).</summary>
    public long[] Permutation(int n)
    {
        var order = new long[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)NextBelow((ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
