using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Plot.Figures;
using Lmev.Contracts;

namespace Lmev.Stages.Plot;

/// <summary>
/// Draws the study's five figures and two of the reproduction's, each as <c>&lt;name&gt;.png</c> and
/// <c>&lt;name&gt;.svg</c>, from Aggregate's <c>runs.csv</c> (only usable runs are drawn; a subtitle counts
/// the others), <c>summary.json</c> and <c>per-class.csv</c> (per-class recall against training rows;
/// published runs against ours, only when the experiment has reference figures) and, for the loss
/// curves, the runs' metrics.json files. Labels are in Spanish, the report's language.
/// </summary>
public sealed class PlotStage : IStage
{
    /// <summary>The figures, the study's under the study's names, in the report's order; <see cref="Published"/> only with reference figures.</summary>
    public static readonly IReadOnlyList<string> Figures = ["bac_by_lang", "bac_by_lm", "loss_vs_bac", "loss_training_curve", "bac_vs_time", "recall_vs_frequency", Published];

    public const string Published = "published_vs_ours";

    private readonly PlotParams _p;
    private readonly IReadOnlyList<RunInput> _curves;

    /// <param name="runs">Aggregate's runs.csv.</param>
    /// <param name="curves">The runs' metrics.json files, for the per-epoch losses; missing ones are skipped.</param>
    /// <param name="summary">Aggregate's summary.json (best model, reference figures).</param>
    /// <param name="perClass">Aggregate's per-class.csv.</param>
    public PlotStage(PlotParams p, Artifact runs, IReadOnlyList<RunInput> curves, Artifact summary, Artifact perClass)
    {
        _p = p;
        _curves = curves.Where(c => c.Metrics is not null).ToList();
        var inputs = _curves.ToDictionary(c => c.Name, c => c.Metrics!);
        inputs["runs"] = runs;
        inputs["summary"] = summary;
        inputs["per-class"] = perClass;
        Inputs = inputs;
    }

    public string Name => "plot";

    public int Version => 4; // 2: SVG lines drawn solid, validation curves with open markers; 3: recall by class frequency, published vs ours; 4: baselines drawn in a style of their own

    public object Params => _p;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; }

    public void Run(StageContext context)
    {
        FontCheck.Require(_p.Font);
        var rows = RunsTable.Read(context.Input("runs"));
        var usable = rows.Where(r => r.IsOk).Select(r => (r.Model, r.Run)).ToHashSet();
        var curves = _curves
            .Where(c => usable.Contains((c.Model, c.Run)))
            .Select(c => RunLoader.Load(c, context.Experiment, context.Input(c.Name)).Metrics)
            .OfType<RunMetrics>()
            .Where(m => m.Epochs.Count > 0)
            .ToList();
        var summary = RunSummary.Read(context.Input("summary"));
        var data = new PlotData(rows, curves, _p, summary, ReadPerClass(context.Input("per-class")));
        var figures = Figures.Where(f => f != Published || summary.Reference is not null).ToList();
        foreach (var name in figures)
        {
            var plot = Draw(name, data);
            var (width, height) = Size(name, data);
            plot.SavePng(context.OutputPath(name + ".png"), width, height);
            SolidLinesForSvg(plot);
            plot.SaveSvg(context.OutputPath(name + ".svg"), width, height);
        }
        context.Versions["scottplot"] = typeof(ScottPlot.Plot).Assembly.GetName().Version?.ToString(3) ?? "?";
        context.Report["figures"] = figures.Count;
        context.Report["runsDrawn"] = data.Ok.Count;
        context.Report["runsWithCurves"] = curves.Count;
        context.Log($"{figures.Count} figures of {data.Ok.Count} usable runs ({curves.Count} with loss curves)");
    }

    /// <summary>
    /// Skia's SVG canvas cannot draw dash effects: it draws such lines solid and prints
    /// "Unsupported path effect in addPaint." once per line to the console. Drawing them solid
    /// ourselves gives the same SVG without the noise (validation curves keep their open markers).
    /// </summary>
    private static void SolidLinesForSvg(ScottPlot.Plot plot)
    {
        foreach (var scatter in plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>())
            scatter.LinePattern = ScottPlot.LinePattern.Solid;
        foreach (var item in plot.Legend.ManualItems)
            item.LinePattern = ScottPlot.LinePattern.Solid;
    }

    internal static ScottPlot.Plot Draw(string figure, PlotData data) => figure switch
    {
        "bac_by_lang" => BacByLanguage.Draw(data),
        "bac_by_lm" => BacByModel.Draw(data),
        "loss_vs_bac" => LossVsBac.Draw(data),
        "loss_training_curve" => TrainingCurve.Draw(data),
        "bac_vs_time" => BacVsTime.Draw(data),
        "recall_vs_frequency" => RecallVsFrequency.Draw(data),
        Published => PublishedVsOurs.Draw(data),
        _ => throw new ArgumentException($"unknown figure '{figure}'", nameof(figure)),
    };

    private static List<PerClassRow> ReadPerClass(string path)
    {
        using var reader = Lmev.Pipeline.Csv.CsvRowReader.Open(path);
        int model = reader.Column("model"), category = reader.Column("category"), train = reader.Column("train"), support = reader.Column("support"), recall = reader.Column("recall");
        var rows = new List<PerClassRow>();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        while (reader.NextNonBlank(out var problem))
        {
            if (problem != Lmev.Pipeline.Csv.RowProblem.None)
                throw new LmevException($"{path}:{reader.LineNumber}: {Lmev.Pipeline.Csv.CsvRowReader.Describe(problem)}; expected the per-class.csv written by aggregate; rerun aggregate with --force");
            rows.Add(new PerClassRow(reader.FieldString(model), reader.FieldString(category), double.Parse(reader.FieldString(train), inv),
                int.Parse(reader.FieldString(support), inv), double.Parse(reader.FieldString(recall), inv)));
        }
        return rows;
    }

    // One bar per model: a tall enough figure keeps the model names apart.
    private static (int Width, int Height) Size(string figure, PlotData data) =>
        figure == "bac_by_lm" ? (data.Params.Width, Math.Max(data.Params.Height, 160 + 45 * data.Models.Count)) : (data.Params.Width, data.Params.Height);
}
