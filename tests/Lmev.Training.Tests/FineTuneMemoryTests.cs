using Xunit.Abstractions;

namespace Lmev.Training.Tests;

/// <summary>
/// Fine-tuning must not hold more than the table, two Adam moments and early stopping's best-weights
/// snapshot: 4 × the table (a sparse gradient is a batch's rows, not a table). Before, a dense
/// gradient, the add into it, Adam's √v temporary, two managed copies of the initial table and a
/// stray random table took about 10 ×, which an NNLM table (500 MB) turns into gigabytes.
/// </summary>
public class FineTuneMemoryTests(ITestOutputHelper output)
{
    private const int Rows = 200_000, Dim = 64;
    private const long TableBytes = (long)Rows * Dim * sizeof(float);   // 51 MB
    /// <summary>The MLP (dim 64 → 64 → 64 → 5), a 512-row batch, libtorch's per-thread scratch.</summary>
    private const long Allowance = 48L << 20;

    [SkippableFact]
    public void Fine_tuning_peaks_under_four_tables()
    {
        Skip.IfNot(File.Exists("/proc/self/clear_refs") && File.Exists("/proc/self/status"), "needs Linux's /proc to read and reset the peak RSS");
        var (train, y) = RandomBags(2048, seed: 1);     // 4 steps of 512
        var (val, yv) = RandomBags(512, seed: 2);
        var p = new MlpSettings { Hidden = 64, BatchSize = 512, Epochs = 2, Patience = 2 };
        var two = new TrainerOptions(Threads: 2);
        // Warm up (libtorch's thread pool and kernels, the JIT) on a small table, so what follows is the large one.
        using (Trainer.FineTune(() => Table(1000), train.Remap(1000), y, null, null, 5, p, 3, two)) { }
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Skip.IfNot(ResetPeak(), "/proc/self/clear_refs is not writable here");
        long start = Status("VmRSS:");

        // The table is made inside the loader, so its managed array counts too (and must be let go).
        using var model = Trainer.FineTune(() => Table(Rows), train, y, val, yv, 5, p, 3, two);
        long growth = Status("VmHWM:") - start;

        output.WriteLine($"peak RSS growth {growth >> 20} MiB = {(double)growth / TableBytes:F2} × the table ({TableBytes >> 20} MiB); " +
                         $"bound 4 × table + {Allowance >> 20} MiB");
        Assert.Equal(2, model.Epochs.Count);
        Assert.True(growth <= 4 * TableBytes + Allowance,
            $"fine-tuning a {Rows:N0} × {Dim} table grew the peak RSS by {growth >> 20} MiB = {(double)growth / TableBytes:F2} × the table; " +
            $"expected at most 4 × ({4 * TableBytes >> 20} MiB) + {Allowance >> 20} MiB");
    }

    private static FeatureMatrix Table(int rows)
    {
        var rng = new SplitMix64((ulong)rows);
        var values = new float[(long)rows * Dim];
        for (long i = 0; i < values.LongLength; i++) values[i] = (float)(ToyData.Uniform(rng) - 0.5);
        return new FeatureMatrix(values, rows, Dim);
    }

    /// <summary>Rows of 1-12 ids spread over the whole table, labels at random.</summary>
    private static (TokenBags Bags, int[] Labels) RandomBags(int rows, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var ids = new List<long>();
        var offsets = new long[rows + 1];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            labels[r] = (int)rng.NextBelow(5);
            int tokens = 1 + (int)rng.NextBelow(12);
            for (int i = 0; i < tokens; i++) ids.Add((long)rng.NextBelow(Rows));
            offsets[r + 1] = ids.Count;
        }
        return (new TokenBags([.. ids], offsets), labels);
    }

    /// <summary>Sets VmHWM to the current RSS (Linux 4.0+, proc(5)).</summary>
    private static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <returns>bytes of a "Vm…: n kB" line of /proc/self/status</returns>
    private static long Status(string key) =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => long.Parse(l[key.Length..].Trim().Split(' ')[0]) * 1024).First();
}

internal static class TokenBagsExtensions
{
    /// <summary>The same rows with every id taken modulo <paramref name="rows"/>, for a smaller table.</summary>
    public static TokenBags Remap(this TokenBags bags, int rows) => new(bags.Ids.Select(i => i % rows).ToArray(), bags.Offsets);
}
