using System.Text.Json;

namespace Lmev.Pipeline.Results;

/// <summary>
/// summary.json, written by Aggregate: statistics of test balanced accuracy per model and per
/// language, dimension, normalisation, training mode and device (group keys: <c>"50"</c>,
/// <c>"true"</c>/<c>"false"</c>, …), the runs left out and why, the software versions the runs
/// recorded, and the comparison with published figures when the experiment has some.
/// </summary>
/// <param name="Runs">Expected runs, usable or not.</param>
/// <param name="Ok">Runs that entered the statistics.</param>
/// <param name="StatusCounts">Runs per status (<see cref="RunStatus"/>).</param>
/// <param name="Versions">Each library the runs recorded, with every distinct version seen.</param>
/// <param name="Baselines">The models that are baselines (fasttext), not embedding models; they are in <see cref="Models"/> and
/// <see cref="Devices"/> but in none of the groups that compare embeddings (language, dimension, normalisation, mode).</param>
public sealed record RunSummary(
    string Experiment,
    string Metric,
    int Runs,
    int Ok,
    SortedDictionary<string, int> StatusCounts,
    IReadOnlyList<ExcludedRun> Excluded,
    IReadOnlyList<GroupStats> Models,
    IReadOnlyList<GroupStats> Languages,
    IReadOnlyList<GroupStats> Dims,
    IReadOnlyList<GroupStats> Normalizations,
    IReadOnlyList<GroupStats> Modes,
    IReadOnlyList<GroupStats> Devices,
    SortedDictionary<string, string[]> Versions,
    ReferenceSummary? Reference,
    IReadOnlyList<string>? Baselines = null)
{
    /// <summary>Whether a model of <see cref="Models"/> is a baseline.</summary>
    public bool IsBaseline(string model) => Baselines?.Contains(model) ?? false;

    public const string FileName = "summary.json";

    public const string BalancedAccuracy = "balancedAccuracy";

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, RunMetrics.Json) + "\n");

    public static RunSummary Read(string path) => JsonFile.Read<RunSummary>(path);
}
