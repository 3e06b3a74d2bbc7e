using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate.Statistics;
using Lmev.Contracts;

namespace Lmev.Stages.Aggregate;

/// <summary>
/// Like-for-like comparisons: for each factor, only models that agree in everything else (kind,
/// language, dimension, normalisation, mode) are compared, pair by pair; a model with no such partner
/// stays out of that factor. The test fits the design: Welch's t over runs when each run drew its own
/// sample, a paired class-stratified bootstrap over the shared test titles when the runs share a split (Welch's t when
/// the predictions are not there). Holm's correction runs over every comparison.
/// </summary>
internal static class LikeForLike
{
    public static readonly string[] Factors = ["language", "dim", "normalization", "mode"];

    public const double Alpha = 0.05;

    public sealed record Model(ModelStats Stats, double[] Bac, IReadOnlyList<ScoredTitles>? Titles);

    /// <summary>The level of a model in a factor, as summary.json writes it.</summary>
    public static string? Level(ModelStats m, string factor) => factor switch
    {
        "language" => m.Language,
        "dim" => m.Dim?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "normalization" => m.Normalization is { } n ? (n ? "true" : "false") : null,
        "mode" => m.Mode,
        _ => throw new ArgumentException($"unknown factor '{factor}'", nameof(factor)),
    };

    /// <summary>Which level is A (written first, the difference is A − B): es, en, …, none; with normalisation; the smaller dimension; fine-tune.</summary>
    private static (int, double, string) Rank(string factor, string level) => factor switch
    {
        "language" => (level switch { "es" => 0, "en" => 1, "none" => 3, _ => 2 }, 0, level),
        "dim" => (0, double.Parse(level, System.Globalization.CultureInfo.InvariantCulture), level),
        "normalization" => (level == "true" ? 0 : 1, 0, level),
        "mode" => (level == ModelSpec.FineTune ? 0 : 1, 0, level),
        _ => (0, 0, level),
    };

    private static bool Partners(ModelStats a, ModelStats b, string factor) =>
        Level(a, factor) is { } la && Level(b, factor) is { } lb && la != lb
        && a.Kind == b.Kind
        && Factors.Where(f => f != factor).All(f => Level(a, f) == Level(b, f));

    public static (List<PairComparison> Pairs, List<FactorSummary> Factors) Compare(IReadOnlyList<Model> models, bool resample, int replicates, ulong seed)
    {
        var usable = models.Where(m => m.Stats.N > 0).OrderBy(m => m.Stats.Model, StringComparer.Ordinal).ToList();
        var pairs = new List<PairComparison>();
        var unpaired = new Dictionary<string, List<string>>();
        foreach (var factor in Factors)
        {
            // A factor with a single level among the usable models has nothing to compare.
            if (usable.Select(m => Level(m.Stats, factor)).OfType<string>().Distinct().Count() < 2) continue;
            var partnered = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < usable.Count; i++)
            for (var j = i + 1; j < usable.Count; j++)
            {
                if (!Partners(usable[i].Stats, usable[j].Stats, factor)) continue;
                var (a, b) = Rank(factor, Level(usable[i].Stats, factor)!).CompareTo(Rank(factor, Level(usable[j].Stats, factor)!)) <= 0
                    ? (usable[i], usable[j]) : (usable[j], usable[i]);
                pairs.Add(Test(factor, a, b, resample, replicates, seed));
                partnered.Add(a.Stats.Model);
                partnered.Add(b.Stats.Model);
            }
            unpaired[factor] = usable.Select(m => m.Stats.Model).Where(m => !partnered.Contains(m)).ToList();
        }

        // The best embedding model against the best baseline (fasttext), tested as any pair and corrected with them.
        var embeddings = usable.Where(m => !IsBaseline(m.Stats)).OrderByDescending(m => m.Stats.Mean).ThenBy(m => m.Stats.Model, StringComparer.Ordinal).ToList();
        var baselines = usable.Where(m => IsBaseline(m.Stats)).OrderByDescending(m => m.Stats.Mean).ThenBy(m => m.Stats.Model, StringComparer.Ordinal).ToList();
        if (embeddings.Count > 0 && baselines.Count > 0)
            pairs.Add(Test(BaselineFactor, embeddings[0], baselines[0], resample, replicates, seed, ("embedding", "baseline")));

        var tested = Enumerable.Range(0, pairs.Count).Where(i => pairs[i].P is not null).ToList();
        var adjusted = HolmCorrection.Adjust(tested.Select(i => pairs[i].P!.Value).ToList());
        for (var k = 0; k < tested.Count; k++)
            pairs[tested[k]] = pairs[tested[k]] with { PHolm = adjusted[k], Significant = adjusted[k] < Alpha };

        var summaries = pairs.Where(p => p.Factor != BaselineFactor).GroupBy(p => (p.Factor, p.LevelA, p.LevelB)) // the baseline pair's sentence says all
            .Select(g => new FactorSummary(g.Key.Factor, g.Key.LevelA, g.Key.LevelB, g.Count(),
                g.Count(p => p.Significant && p.Difference > 0), g.Count(p => p.Significant && p.Difference < 0),
                g.Average(p => p.Difference), unpaired[g.Key.Factor]))
            .ToList();
        // A factor whose levels vary but where no two models differ in it alone still gets a line: who was left out.
        foreach (var (factor, left) in unpaired)
            if (!summaries.Any(s => s.Factor == factor)) summaries.Add(new FactorSummary(factor, "", "", 0, 0, 0, null, left));
        summaries = summaries.OrderBy(s => Array.IndexOf(Factors, s.Factor)).ThenBy(s => s.LevelA, StringComparer.Ordinal).ThenBy(s => s.LevelB, StringComparer.Ordinal).ToList();
        return (pairs, summaries);
    }

    /// <summary>The comparison of the best embedding model with the best baseline (levels "embedding" and "baseline").</summary>
    public const string BaselineFactor = "baseline";

    /// <summary>A practitioner's baseline (fastText), not an embedding model.</summary>
    public static bool IsBaseline(ModelStats m) => m.Kind == "fasttext";

    private static PairComparison Test(string factor, Model a, Model b, bool resample, int replicates, ulong seed, (string A, string B)? levels = null)
    {
        var diff = a.Bac.Average() - b.Bac.Average();
        var (test, outcome) = (resample, a.Titles, b.Titles) switch
        {
            (false, { Count: > 0 } ta, { Count: > 0 } tb) when ta.Concat(tb).All(t => t.SameTitles(ta[0])) =>
                (PairComparison.PairedBootstrap, ClassStratifiedBootstrap.Paired(ta, tb, diff, replicates, SeededRandom.For(seed, $"compare/{a.Stats.Model}/{b.Stats.Model}"))),
            _ => (PairComparison.Welch, WelchTest.Run(a.Bac, b.Bac)),
        };
        if (outcome is null) test = PairComparison.NoTest;
        return new PairComparison(factor, a.Stats.Model, b.Stats.Model, levels?.A ?? Level(a.Stats, factor)!, levels?.B ?? Level(b.Stats, factor)!, a.Stats.N, b.Stats.N,
            a.Bac.Average(), b.Bac.Average(), diff, outcome?.Low, outcome?.High, test, outcome?.Statistic, outcome?.Df, outcome?.P, null, false);
    }
}
