using Lmev.Pipeline;
using Lmev.Contracts.Results;
using ScottPlot;
using Lmev.Contracts;

namespace Lmev.Stages.Plot;

/// <summary>Mean training and validation loss per epoch over a model's usable runs.</summary>
internal sealed record LossCurve(string Model, double[] Epochs, double[] Loss, double[] ValLoss, int Runs);

/// <summary>
/// What the figures draw: the usable runs of runs.csv, the loss curves of the runs that recorded
/// them, and one colour per model, the same in every figure.
/// </summary>
internal sealed class PlotData
{
    public PlotData(IReadOnlyList<RunRow> rows, IReadOnlyList<RunMetrics> curves, PlotParams p, RunSummary? summary = null, IReadOnlyList<PerClassRow>? perClass = null)
    {
        Params = p;
        Summary = summary;
        PerClass = perClass ?? [];
        All = rows;
        Ok = rows.Where(r => r.IsOk).ToList();
        Models = rows.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        IPalette palette = Models.Count <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
        _colors = Models.Select((m, i) => (m, palette.GetColor(i))).ToDictionary(x => x.m, x => x.Item2, StringComparer.Ordinal);
        Curves = curves.Where(m => !m.Diverged && m.Epochs.Count > 0)
            .GroupBy(m => m.Model, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => MeanCurve(g.Key, g.ToList()))
            .ToList();
    }

    private readonly Dictionary<string, Color> _colors;

    public PlotParams Params { get; }

    /// <summary>Aggregate's summary.json: the best model, the published figures.</summary>
    public RunSummary? Summary { get; }

    /// <summary>Aggregate's per-class.csv.</summary>
    public IReadOnlyList<PerClassRow> PerClass { get; }

    public IReadOnlyList<RunRow> All { get; }

    public IReadOnlyList<RunRow> Ok { get; }

    public IReadOnlyList<string> Models { get; }

    public IReadOnlyList<LossCurve> Curves { get; }

    public Color ColorOf(string model) => _colors[model];

    /// <summary>A baseline (fasttext), drawn in a style of its own beside the embedding models.</summary>
    public bool IsBaseline(string model) => All.Any(r => r.Model == model && r.Baseline);

    /// <summary>A model's name in figures: a baseline says so.</summary>
    public string Label(string model) => IsBaseline(model) ? $"{model} (línea base)" : model;

    public int Excluded => All.Count - Ok.Count;

    /// <summary>Models with at least one usable run, best mean first.</summary>
    public IReadOnlyList<(string Model, double[] Bac)> ModelsByMean() => Ok
        .GroupBy(r => r.Model, StringComparer.Ordinal)
        .Select(g => (g.Key, g.Select(r => r.TestBac!.Value).ToArray()))
        .OrderByDescending(x => x.Item2.Average()).ThenBy(x => x.Key, StringComparer.Ordinal)
        .ToList();

    /// <summary>"n runs left out" for a subtitle, or "".</summary>
    public string ExcludedNote => Excluded == 0 ? "" : $" ({Excluded} ejecuciones excluidas)";

    // Runs stop at different epochs (early stopping): the mean at epoch e is over the runs that reached it.
    private static LossCurve MeanCurve(string model, List<RunMetrics> runs)
    {
        var last = runs.Max(r => r.Epochs.Max(e => e.Epoch));
        var epochs = new List<double>();
        var loss = new List<double>();
        var val = new List<double>();
        for (var e = 1; e <= last; e++)
        {
            var at = runs.SelectMany(r => r.Epochs.Where(x => x.Epoch == e)).ToList();
            if (at.Count == 0) continue;
            epochs.Add(e);
            loss.Add(at.Average(x => x.Loss));
            val.Add(at.Average(x => x.ValLoss));
        }
        return new LossCurve(model, epochs.ToArray(), loss.ToArray(), val.ToArray(), runs.Count);
    }

    /// <summary>Spreads n points evenly across a band of <paramref name="width"/> centred on 0, so runs with equal scores stay visible.</summary>
    public static double Jitter(int i, int n, double width = 0.4) => n <= 1 ? 0 : (i / (double)(n - 1) - 0.5) * width;
}
