using MathNet.Numerics.Distributions;

namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// Welch's t-test (Welch 1947) of mean(A) − mean(B) for independent samples with unequal variances:
/// t = (x̄a − x̄b) / √(sa²/na + sb²/nb), degrees of freedom by Welch–Satterthwaite, a two-sided p-value
/// and the 95 % interval x̄a − x̄b ± t(0.975, df) · se. The runs of an experiment with runs.resample
/// (each run its own sample) are such samples.
/// </summary>
public static class WelchTest
{
    /// <returns>Null when a side has fewer than two values, or both sides have no spread (no test is possible).</returns>
    public static TestOutcome? Run(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2) return null;
        double ma = a.Average(), mb = b.Average();
        double va = Variance(a, ma) / a.Count, vb = Variance(b, mb) / b.Count;
        var se2 = va + vb;
        if (!(se2 > 0)) return null;
        var se = Math.Sqrt(se2);
        var df = se2 * se2 / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        var diff = ma - mb;
        var t = diff / se;
        var p = 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
        var half = StudentT.InvCDF(0, 1, df, 1 - (1 - TInterval.Level) / 2) * se;
        return new TestOutcome(diff, diff - half, diff + half, t, df, Math.Min(1, p));
    }

    private static double Variance(IReadOnlyList<double> values, double mean) => values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
}
