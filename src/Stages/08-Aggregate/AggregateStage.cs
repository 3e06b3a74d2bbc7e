using System.Globalization;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate.Statistics;
using Lmev.Contracts;

namespace Lmev.Stages.Aggregate;

/// <summary>
/// Gathers every run's metrics.json into <c>runs.csv</c> (one row per expected run, nothing averaged
/// away), the runs' test predictions into <c>per-class.csv</c> (recall per model and class, with the
/// class's training rows), and writes <c>summary.json</c>: each model's mean with its 95 % interval,
/// the like-for-like comparisons with tests fit for the design and Holm's correction, how training
/// ended, where the best model errs, and the comparison with published figures. A run whose file is
/// missing or unreadable, or that diverged, keeps its row with a status, is left out of the
/// statistics, and is counted and listed in the summary.
/// </summary>
public sealed class AggregateStage : IStage
{


    /// <summary>Classes and confusions the summary keeps for the best model.</summary>
    public const int Listed = 20;

    private readonly AggregateParams _p;
    private readonly IReadOnlyList<RunInput> _runs;

    public AggregateStage(AggregateParams p, IReadOnlyList<RunInput> runs)
    {
        var duplicate = runs.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"run '{duplicate.Key}' is listed twice", nameof(runs));
        _p = p;
        _runs = runs;
        var inputs = runs.Where(r => r.Metrics is not null).ToDictionary(r => r.Name, r => r.Metrics!);
        foreach (var r in runs)
        {
            if (r.Predictions is { } predictions) inputs[r.PredictionsName] = predictions;
            if (r.Classes is { } classes) inputs[r.ClassesName] = classes;
        }
        Inputs = inputs;
    }

    public string Name => "aggregate";

    public int Version => 4; // 2: intervals, like-for-like comparisons and tests, training health, per-class recall; 3: runs.csv's baseline column, summary's baselines;
                                // 4: the bootstrap over test titles resamples within each class (ClassStratifiedBootstrap)

    /// <summary>
    /// The parameters plus the names of the expected runs: a missing run has no input, so without
    /// its name "4 runs, one missing" and "3 runs" would share a key.
    /// </summary>
    public object Params => new { _p.Reference, _p.Resample, _p.MaxEpochs, _p.Models, _p.Replicates, _p.Seed, Runs = _runs.Select(r => r.Name).ToArray() };

    public IReadOnlyDictionary<string, Artifact> Inputs { get; }

    public void Run(StageContext context)
    {
        var rows = new List<RunRow>();
        var loaded = new List<RunMetrics>();
        var predictions = new RunPredictions();
        var versions = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var run in _runs)
        {
            var path = run.Metrics is null ? null : context.Input(run.Name);
            var (row, metrics) = RunLoader.Load(run, context.Experiment, path, _p.Models?.GetValueOrDefault(run.Model));
            rows.Add(row);
            if (!row.IsOk) context.Log($"{run.Name}: {row.Status}; kept in {RunsTable.FileName}, left out of the statistics");
            if (metrics is null) continue;
            if (row.IsOk)
            {
                loaded.Add(metrics);
                if (run.Predictions is not null && File.Exists(context.Input(run.PredictionsName)))
                    predictions.Add(run.Model, run.Run, context.Input(run.PredictionsName), run.Classes is null ? null : context.Input(run.ClassesName));
            }
            foreach (var (library, version) in metrics.Versions)
            {
                if (!versions.TryGetValue(library, out var seen)) versions[library] = seen = new SortedSet<string>(StringComparer.Ordinal);
                seen.Add(version);
            }
        }

        RunsTable.Write(context.OutputPath(RunsTable.FileName), rows);
        var summary = Summarize(context.Experiment, rows, _p, loaded, predictions,
            new SortedDictionary<string, string[]>(versions.ToDictionary(v => v.Key, v => v.Value.ToArray()), StringComparer.Ordinal));
        summary.Write(context.OutputPath(RunSummary.FileName));
        WritePerClass(context.OutputPath(PerClassTable.FileName), rows, predictions);

        context.Report["runs"] = summary.Runs;
        context.Report["ok"] = summary.Ok;
        context.Report["excluded"] = summary.Excluded.Count;
        context.Report["withPredictions"] = predictions.Count;
        context.Report["comparisons"] = summary.Comparisons.Count;
        context.Log($"{summary.Runs} runs of {summary.Models.Count} models; {summary.Ok} usable, {summary.Excluded.Count} left out; " +
                    $"{predictions.Count} with test predictions; {summary.Comparisons.Count} like-for-like comparisons ({summary.Design} design)");
    }

    /// <summary>The statistics of summary.json, from the rows of runs.csv, the usable runs' metrics and their predictions.</summary>
    internal static RunSummary Summarize(string experiment, IReadOnlyList<RunRow> rows, AggregateParams p,
        IReadOnlyList<RunMetrics>? metrics = null, RunPredictions? predictions = null, SortedDictionary<string, string[]>? versions = null)
    {
        // A baseline (fasttext) is no embedding: it stands beside the models, and is compared only with its own kind.
        var baselines = rows.Where(r => r.Baseline).Select(r => r.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        predictions ??= new RunPredictions();
        var models = rows.GroupBy(r => r.Model, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ModelOf(g.Key, g.ToList(), p, predictions)).ToList();
        var (pairs, factors) = LikeForLike.Compare(models, p.Resample, p.Replicates, p.Seed);

        var health = (metrics ?? []).Select(m => TrainingHealth.Of(m, p.MaxEpochs)).ToList();
        // Runs known only from runs.csv (the findings tests) still say whether they stopped early.
        if (metrics is null)
            health = rows.Where(r => r.IsOk && r.EpochsRun is not null)
                .Select(r => new RunHealth(r.Model, r.Run, r.EpochsRun!.Value, r.BestEpoch, null, p.MaxEpochs is { } cap && r.EpochsRun < cap ? r.EpochsRun : null)).ToList();

        var best = models.Where(m => m.Stats.N > 0).OrderByDescending(m => m.Stats.Mean).ThenBy(m => m.Stats.Model, StringComparer.Ordinal).FirstOrDefault();
        ModelErrors? errors = null;
        if (best is not null && OkRuns(rows, best.Stats.Model).Where(k => predictions.Has(best.Stats.Model, k)).ToList() is { Count: > 0 } runs)
        {
            var (classes, confusions) = predictions.Errors(best.Stats.Model, runs);
            errors = new ModelErrors(best.Stats.Model, runs.Count, classes.Count, classes.Take(Listed).ToList(), confusions.Take(Listed).ToList());
        }

        var devices = rows.Where(r => r.Device is not null).GroupBy(r => r.Device!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => GroupStats.Of(g.Key,
                g.Where(r => r.IsOk).Select(r => r.TestBac!.Value).ToArray(),
                g.Where(r => r.IsOk && r.TrainSeconds is { } s && double.IsFinite(s)).Select(r => r.TrainSeconds!.Value).ToArray(),
                g.Count(r => !r.IsOk)))
            .ToList();

        return new RunSummary(
            experiment,
            RunSummary.BalancedAccuracy,
            p.Resample ? RunSummary.Independent : RunSummary.Paired,
            rows.Count,
            rows.Count(r => r.IsOk),
            new SortedDictionary<string, int>(rows.GroupBy(r => r.Status.StartsWith(RunStatus.CorruptPrefix, StringComparison.Ordinal) ? "corrupt" : r.Status)
                .ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal),
            rows.Where(r => !r.IsOk).Select(r => new ExcludedRun(r.Model, r.Run, r.Status)).ToList(),
            models.Select(m => m.Stats).ToList(),
            pairs,
            factors,
            TrainingHealth.PerModel(health),
            health,
            errors,
            devices,
            versions ?? new SortedDictionary<string, string[]>(StringComparer.Ordinal),
            p.Reference is null ? null : ReferenceCheck.Of(p.Reference, models, pairs),
            baselines);
    }

    private static IEnumerable<int> OkRuns(IEnumerable<RunRow> rows, string model) => rows.Where(r => r.Model == model && r.IsOk).Select(r => r.Run);

    private static LikeForLike.Model ModelOf(string name, List<RunRow> runs, AggregateParams p, RunPredictions predictions)
    {
        var ok = runs.Where(r => r.IsOk).ToList();
        var bac = ok.Select(r => r.TestBac!.Value).ToArray();
        var seconds = ok.Where(r => r.TrainSeconds is { } s && double.IsFinite(s)).Select(r => r.TrainSeconds!.Value).ToArray();
        var withTitles = ok.Count > 0 && ok.All(r => predictions.Has(name, r.Run)) ? ok.Select(r => predictions.Scored(name, r.Run)).ToList() : null;
        var first = ok.FirstOrDefault() ?? runs.FirstOrDefault(r => r.Language is not null);
        double? mean = bac.Length == 0 ? null : bac.Average();
        double? std = bac.Length < 2 ? null : TInterval.SampleStd(bac, mean!.Value);
        (double Low, double High)? interval = TInterval.Of(bac);
        string? method = interval is null ? null : "t";
        if (bac.Length == 1 && withTitles is { Count: 1 })
        {
            interval = ClassStratifiedBootstrap.Interval(withTitles, p.Replicates, SeededRandom.For(p.Seed, $"interval/{name}"));
            method = "bootstrap";
        }
        var stats = new ModelStats(name, p.Models?.GetValueOrDefault(name)?.Kind, first?.Language, first?.Dim, first?.Normalization, first?.Mode,
            bac.Length, mean, std, interval?.Low, interval?.High, method, bac.Length == 0 ? null : bac.Min(), bac.Length == 0 ? null : bac.Max(),
            seconds.Length == 0 ? null : seconds.Average(), runs.Count(r => !r.IsOk));
        return new LikeForLike.Model(stats, bac, withTitles);
    }

    /// <summary>per-class.csv: every model's recall per class over its usable runs with predictions.</summary>
    private static void WritePerClass(string path, IReadOnlyList<RunRow> rows, RunPredictions predictions)
    {
        using var w = CsvWriter.Create(path);
        w.Row("model", "category", "train", "support", "correct", "recall");
        foreach (var model in rows.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal))
        {
            var runs = OkRuns(rows, model).Where(k => predictions.Has(model, k)).ToList();
            if (runs.Count == 0) continue;
            foreach (var c in predictions.Errors(model, runs).Classes.OrderBy(c => c.Category, StringComparer.Ordinal))
                w.Row(model, c.Category, S(c.Train), c.Support.ToString(CultureInfo.InvariantCulture), c.Correct.ToString(CultureInfo.InvariantCulture), S(c.Recall));
        }
    }

    private static string S(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
