using Lmev.Pipeline;

namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// Bootstrap over test titles (Efron and Tibshirani 1993, percentile intervals), balanced accuracy
/// recomputed on each resample. For a comparison on a shared split the two models' runs are scored on
/// the same resampled titles (a paired bootstrap), and each model's runs are resampled too, so that the
/// interval covers both the test sample and the spread between training seeds. Seeded: the same data
/// and seed give the same interval.
/// </summary>
public static class TitleBootstrap
{
    /// <summary>95 % percentile interval of the mean balanced accuracy of <paramref name="runs"/> (which share their titles).</summary>
    public static (double Low, double High) Interval(IReadOnlyList<ScoredTitles> runs, int replicates, SeededRandom random)
    {
        var stats = Replicate(runs, [], replicates, random);
        return Percentiles(stats);
    }

    /// <summary>
    /// Paired bootstrap of mean BAC(A) − mean BAC(B): the interval, and the two-sided p-value of "no
    /// difference" read off the same resamples (twice the smaller share of resampled differences on
    /// either side of 0, counting the observed one).
    /// </summary>
    public static TestOutcome Paired(IReadOnlyList<ScoredTitles> a, IReadOnlyList<ScoredTitles> b, double observed, int replicates, SeededRandom random)
    {
        if (a.Count == 0 || b.Count == 0) throw new ArgumentException("both sides need at least one run");
        var stats = Replicate(a, b, replicates, random);
        var (low, high) = Percentiles(stats);
        var below = stats.Count(d => d <= 0);
        var above = stats.Count(d => d >= 0);
        var p = Math.Min(1, 2.0 * (Math.Min(below, above) + 1) / (replicates + 1));
        return new TestOutcome(observed, low, high, null, null, p);
    }

    private static double[] Replicate(IReadOnlyList<ScoredTitles> a, IReadOnlyList<ScoredTitles> b, int replicates, SeededRandom random)
    {
        var first = a[0];
        foreach (var r in a.Concat(b))
            if (!r.SameTitles(first)) throw new ArgumentException("a paired bootstrap needs runs scored on the same titles in the same order");
        var n = first.Truth.Length;
        var weight = new int[n];
        var bacA = new double[a.Count];
        var bacB = new double[b.Count];
        var stats = new double[replicates];
        for (var rep = 0; rep < replicates; rep++)
        {
            Array.Clear(weight);
            for (var i = 0; i < n; i++) weight[random.NextInt(n)]++;
            for (var k = 0; k < a.Count; k++) bacA[k] = a[k].BalancedAccuracy(weight);
            for (var k = 0; k < b.Count; k++) bacB[k] = b[k].BalancedAccuracy(weight);
            stats[rep] = MeanOfResampledRuns(bacA, random) - (b.Count == 0 ? 0 : MeanOfResampledRuns(bacB, random));
        }
        Array.Sort(stats);
        return stats;
    }

    // The runs of a model differ by their training seed: drawing them with replacement carries that spread.
    private static double MeanOfResampledRuns(double[] bac, SeededRandom random)
    {
        if (bac.Length == 1) return bac[0];
        double sum = 0;
        for (var k = 0; k < bac.Length; k++) sum += bac[random.NextInt(bac.Length)];
        return sum / bac.Length;
    }

    /// <summary>The 2.5 % and 97.5 % points of sorted values: the ⌈qB⌉-th smallest (the inverse of the empirical distribution).</summary>
    private static (double Low, double High) Percentiles(double[] sorted)
    {
        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return (At((1 - TInterval.Level) / 2), At(1 - (1 - TInterval.Level) / 2));
    }
}
