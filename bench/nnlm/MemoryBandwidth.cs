using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// The machine's memory bandwidth as STREAM's triad measures it (McCalpin, https://www.cs.virginia.edu/stream/):
/// a[i] = b[i] + s·c[i] over three float32 arrays far larger than the caches, each thread a contiguous share (as
/// STREAM's OpenMP static schedule), the best of several repetitions, and 3 × 4 bytes counted per element (STREAM's
/// convention: two reads and a write). The arithmetic is TensorPrimitives.MultiplyAdd.
/// </summary>
internal static unsafe class MemoryBandwidth
{
    /// <returns>bytes per second, and the best repetition's seconds</returns>
    public static (double BytesPerSecond, double Seconds) Triad(long elements, int threads, int repeats = 6)
    {
        nuint bytes = (nuint)(elements * sizeof(float));
        float* a = (float*)NativeMemory.AlignedAlloc(bytes, 64), b = (float*)NativeMemory.AlignedAlloc(bytes, 64), c = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        try
        {
            // First touch by the threads that will stream them, outside the timing (page faults are not bandwidth).
            ForEachShare(elements, threads, (start, length) =>
            {
                new Span<float>(a + start, length).Clear();
                new Span<float>(b + start, length).Fill(1f);
                new Span<float>(c + start, length).Fill(2f);
            });
            double best = double.PositiveInfinity;
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                ForEachShare(elements, threads, (start, length) =>
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(c + start, length), 3f, new ReadOnlySpan<float>(b + start, length),
                        new Span<float>(a + start, length)));
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            if (a[elements - 1] != 7f) throw new InvalidOperationException($"triad: a[^1] is {a[elements - 1]}, expected 1 + 3 × 2 = 7");
            return (3.0 * elements * sizeof(float) / best, best);
        }
        finally
        {
            NativeMemory.AlignedFree(a); NativeMemory.AlignedFree(b); NativeMemory.AlignedFree(c);
        }
    }

    /// <summary>Calls <paramref name="work"/> on <paramref name="threads"/> contiguous shares of [0, elements), in parallel.</summary>
    private static void ForEachShare(long elements, int threads, Action<long, int> work) =>
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            long start = elements * t / threads, end = elements * (t + 1) / threads;
            for (long at = start; at < end; at += int.MaxValue / 2)
                work(at, (int)Math.Min(int.MaxValue / 2, end - at));
        });
}
