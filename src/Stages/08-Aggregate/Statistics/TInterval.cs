using MathNet.Numerics.Distributions;

namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// The 95 % confidence interval of a mean from n values: mean ± t(0.975, n − 1) · s / √n, with s the
/// sample standard deviation (n − 1). Undefined (null) for fewer than two values.
/// </summary>
public static class TInterval
{
    public const double Level = 0.95;

    public static (double Low, double High)? Of(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return null;
        var mean = values.Average();
        var sd = SampleStd(values, mean);
        var half = StudentT.InvCDF(0, 1, values.Count - 1, 1 - (1 - Level) / 2) * sd / Math.Sqrt(values.Count);
        return (mean - half, mean + half);
    }

    public static double SampleStd(IReadOnlyList<double> values, double mean) =>
        Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
}
