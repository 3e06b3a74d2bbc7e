using MathNet.Numerics.Distributions;

namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// The paired t-test of mean(A − B) over pairs (aᵢ, bᵢ): t = d̄ / (s_d / √n) with n − 1 degrees of
/// freedom, a two-sided p-value and the 95 % interval d̄ ± t(0.975, n − 1) · s_d / √n.
/// </summary>
public static class PairedTTest
{
    /// <returns>Null with fewer than two pairs or differences with no spread.</returns>
    public static TestOutcome? Run(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples of {a.Count} and {b.Count} values", nameof(b));
        if (a.Count < 2) return null;
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var mean = d.Average();
        var se = TInterval.SampleStd(d, mean) / Math.Sqrt(d.Length);
        if (!(se > 0)) return null;
        var df = d.Length - 1;
        var t = mean / se;
        var half = StudentT.InvCDF(0, 1, df, 1 - (1 - TInterval.Level) / 2) * se;
        return new TestOutcome(mean, mean - half, mean + half, t, df, Math.Min(1, 2 * StudentT.CDF(0, 1, df, -Math.Abs(t))));
    }
}
