using System.Text.Json;
using Lmev.Pipeline;

namespace Lmev.Contracts.Results;

/// <summary>
/// summary.json, written by Aggregate: every figure the report prints. Per model, test balanced
/// accuracy with its 95 % interval; the like-for-like comparisons (models differing in one factor
/// alone) with their intervals, tests and p-values before and after Holm's correction, summarised per
/// factor; how each run's training ended; where the best model errs; training time per device; the
/// runs left out and why; the software versions the runs recorded; the comparison with published
/// figures when the experiment has some. No mean pools unlike models.
/// </summary>
/// <param name="Design"><c>"paired"</c> (the runs share one split) or <c>"independent"</c> (runs.resample).</param>
/// <param name="Runs">Expected runs, usable or not.</param>
/// <param name="Ok">Runs that entered the statistics.</param>
/// <param name="StatusCounts">Runs per status (<see cref="RunStatus"/>).</param>
/// <param name="Best">The model with the highest mean, and where it errs; null without predictions.</param>
/// <param name="Versions">Each library the runs recorded, with every distinct version seen.</param>
/// <param name="Baselines">The models that are baselines (fasttext), not embedding models; they are in <see cref="Models"/> and
/// <see cref="Devices"/> but in none of the groups that compare embeddings (language, dimension, normalisation, mode).</param>
public sealed record RunSummary(
    string Experiment,
    string Metric,
    string Design,
    int Runs,
    int Ok,
    SortedDictionary<string, int> StatusCounts,
    IReadOnlyList<ExcludedRun> Excluded,
    IReadOnlyList<ModelStats> Models,
    IReadOnlyList<PairComparison> Comparisons,
    IReadOnlyList<FactorSummary> Factors,
    IReadOnlyList<ModelHealth> Health,
    IReadOnlyList<RunHealth> RunHealth,
    ModelErrors? Best,
    IReadOnlyList<GroupStats> Devices,
    SortedDictionary<string, string[]> Versions,
    ReferenceSummary? Reference,
    IReadOnlyList<string>? Baselines = null)
{
    /// <summary>Whether a model of <see cref="Models"/> is a baseline.</summary>
    public bool IsBaseline(string model) => Baselines?.Contains(model) ?? false;

    public const string FileName = "summary.json";

    public const string BalancedAccuracy = "balancedAccuracy";

    public const string Paired = "paired";
    public const string Independent = "independent";

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, RunMetrics.Json) + "\n");

    public static RunSummary Read(string path) => JsonFile.Read<RunSummary>(path);
}
