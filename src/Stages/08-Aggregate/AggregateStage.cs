using Lmev.Pipeline;
using Lmev.Pipeline.Results;

namespace Lmev.Stages.Aggregate;

/// <summary>
/// Gathers every run's metrics.json into <c>runs.csv</c> (one row per expected run, nothing averaged
/// away) and <c>summary.json</c> (test balanced accuracy per model, language, dimension,
/// normalisation, mode and device; the comparison with published figures). A run whose file is
/// missing or unreadable, or that diverged, keeps its row with a status, is left out of the means,
/// and is counted and listed in the summary.
/// </summary>
public sealed class AggregateStage : IStage
{
    private readonly AggregateParams _p;
    private readonly IReadOnlyList<RunInput> _runs;

    public AggregateStage(AggregateParams p, IReadOnlyList<RunInput> runs)
    {
        var duplicate = runs.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"run '{duplicate.Key}' is listed twice", nameof(runs));
        _p = p;
        _runs = runs;
        Inputs = runs.Where(r => r.Metrics is not null).ToDictionary(r => r.Name, r => r.Metrics!);
    }

    public string Name => "aggregate";

    public int Version => 2; // 2: runs.csv's baseline column; baselines left out of the language, dimension, normalisation and mode groups

    /// <summary>
    /// The parameters plus the names of the expected runs: a missing run has no input, so without
    /// its name "4 runs, one missing" and "3 runs" would share a key.
    /// </summary>
    public object Params => new { _p.Reference, Runs = _runs.Select(r => r.Name).ToArray() };

    public IReadOnlyDictionary<string, Artifact> Inputs { get; }

    public void Run(StageContext context)
    {
        var rows = new List<RunRow>();
        var versions = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var run in _runs)
        {
            var path = run.Metrics is null ? null : context.Input(run.Name);
            var (row, metrics) = RunLoader.Load(run, context.Experiment, path);
            rows.Add(row);
            if (!row.IsOk) context.Log($"{run.Name}: {row.Status}; kept in {RunsTable.FileName}, left out of the means");
            if (metrics is null) continue;
            foreach (var (library, version) in metrics.Versions)
            {
                if (!versions.TryGetValue(library, out var seen)) versions[library] = seen = new SortedSet<string>(StringComparer.Ordinal);
                seen.Add(version);
            }
        }

        RunsTable.Write(context.OutputPath(RunsTable.FileName), rows);
        var summary = Summarize(context.Experiment, rows, _p.Reference,
            new SortedDictionary<string, string[]>(versions.ToDictionary(v => v.Key, v => v.Value.ToArray()), StringComparer.Ordinal));
        summary.Write(context.OutputPath(RunSummary.FileName));

        context.Report["runs"] = summary.Runs;
        context.Report["ok"] = summary.Ok;
        context.Report["excluded"] = summary.Excluded.Count;
        context.Log($"{summary.Runs} runs of {summary.Models.Count} models; {summary.Ok} usable, {summary.Excluded.Count} left out of the means");
    }

    /// <summary>The statistics of summary.json, from the rows of runs.csv.</summary>
    public static RunSummary Summarize(string experiment, IReadOnlyList<RunRow> rows, ReferenceFigures? reference,
        SortedDictionary<string, string[]>? versions = null)
    {
        // A missing or corrupt run still has a model; its other group keys are unknown, so it is
        // counted as excluded only in its model's group.
        // A baseline (fasttext) is no embedding: it stands beside the models, not in the groups that compare embeddings.
        var baselines = rows.Where(r => r.Baseline).Select(r => r.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        List<GroupStats> By(Func<RunRow, string?> key) => ByOf(rows, key);
        List<GroupStats> ByEmbedding(Func<RunRow, string?> key) => ByOf(rows.Where(r => !baselines.Contains(r.Model)).ToList(), key);
        List<GroupStats> ByOf(IReadOnlyList<RunRow> of, Func<RunRow, string?> key) => of
            .Where(r => key(r) is not null)
            .GroupBy(r => key(r)!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => GroupStats.Of(g.Key,
                g.Where(r => r.IsOk).Select(r => r.TestBac!.Value).ToArray(),
                g.Where(r => r.IsOk && r.TrainSeconds is { } s && double.IsFinite(s)).Select(r => r.TrainSeconds!.Value).ToArray(),
                g.Count(r => !r.IsOk)))
            .ToList();

        var models = By(r => r.Model);
        var languages = ByEmbedding(r => r.Language);
        ReferenceSummary? compared = null;
        if (reference is not null)
        {
            static List<ReferenceComparison> Compare(SortedDictionary<string, double> theirs, List<GroupStats> ours) =>
                theirs.Select(t =>
                {
                    var mean = ours.FirstOrDefault(g => g.Key == t.Key)?.Mean;
                    return new ReferenceComparison(t.Key, mean, t.Value, mean - t.Value);
                }).ToList();
            compared = new ReferenceSummary(reference.Source, Compare(reference.Models, models), Compare(reference.Languages, languages));
        }

        return new RunSummary(
            experiment,
            RunSummary.BalancedAccuracy,
            rows.Count,
            rows.Count(r => r.IsOk),
            new SortedDictionary<string, int>(rows.GroupBy(r => r.Status.StartsWith(RunStatus.CorruptPrefix, StringComparison.Ordinal) ? "corrupt" : r.Status)
                .ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal),
            rows.Where(r => !r.IsOk).Select(r => new ExcludedRun(r.Model, r.Run, r.Status)).ToList(),
            models,
            languages,
            ByEmbedding(r => r.Dim?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ByEmbedding(r => r.Normalization is { } n ? (n ? "true" : "false") : null),
            ByEmbedding(r => r.Mode),
            By(r => r.Device),
            versions ?? new SortedDictionary<string, string[]>(StringComparer.Ordinal),
            compared,
            baselines);
    }
}
