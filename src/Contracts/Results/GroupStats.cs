namespace Lmev.Contracts.Results;

/// <summary>
/// Test balanced accuracy over the usable runs of one group (a model, a language, a dimension…).
/// <see cref="Std"/> is the sample standard deviation (n − 1) and is null when n &lt; 2 (undefined);
/// every statistic is null when no run of the group is usable (n = 0).
/// </summary>
/// <param name="Excluded">Runs of the group left out of the statistics (diverged, missing, corrupt).</param>
/// <param name="MeanTrainSeconds">Mean training time of the usable runs.</param>
public sealed record GroupStats(
    string Key,
    int N,
    double? Mean,
    double? Std,
    double? Min,
    double? Max,
    double? MeanTrainSeconds,
    int Excluded)
{
    public static GroupStats Of(string key, IReadOnlyCollection<double> values, IReadOnlyCollection<double> seconds, int excluded)
    {
        if (values.Count == 0) return new GroupStats(key, 0, null, null, null, null, null, excluded);
        var mean = values.Average();
        double? std = values.Count < 2 ? null : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        double? secs = seconds.Count == 0 ? null : seconds.Average();
        return new GroupStats(key, values.Count, mean, std, values.Min(), values.Max(), secs, excluded);
    }
}
