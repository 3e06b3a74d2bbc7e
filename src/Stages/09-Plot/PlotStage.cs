using Lmev.Pipeline;
using Lmev.Pipeline.Results;
using Lmev.Stages.Plot.Figures;

namespace Lmev.Stages.Plot;

/// <summary>
/// Draws the study's five figures, each as <c>&lt;name&gt;.png</c> and <c>&lt;name&gt;.svg</c>, from
/// Aggregate's <c>runs.csv</c> (only usable runs are drawn; a subtitle counts the others) and, for
/// the loss curves, the runs' metrics.json files. Labels are in Spanish, the report's language.
/// </summary>
public sealed class PlotStage : IStage
{
    /// <summary>The figures, named as the study named them.</summary>
    public static readonly IReadOnlyList<string> Figures = ["bac_by_lang", "bac_by_lm", "loss_vs_bac", "loss_training_curve", "bac_vs_time"];

    private readonly PlotParams _p;
    private readonly IReadOnlyList<RunInput> _curves;

    /// <param name="runs">Aggregate's runs.csv.</param>
    /// <param name="curves">The runs' metrics.json files, for the per-epoch losses; missing ones are skipped.</param>
    public PlotStage(PlotParams p, Artifact runs, IReadOnlyList<RunInput> curves)
    {
        _p = p;
        _curves = curves.Where(c => c.Metrics is not null).ToList();
        var inputs = _curves.ToDictionary(c => c.Name, c => c.Metrics!);
        inputs["runs"] = runs;
        Inputs = inputs;
    }

    public string Name => "plot";

    public int Version => 3; // 3: baselines (runs.csv's baseline column) drawn in a style of their own; 2: SVG lines drawn solid, validation curves with open markers

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
        var data = new PlotData(rows, curves, _p);
        foreach (var name in Figures)
        {
            var plot = Draw(name, data);
            var (width, height) = Size(name, data);
            plot.SavePng(context.OutputPath(name + ".png"), width, height);
            SolidLinesForSvg(plot);
            plot.SaveSvg(context.OutputPath(name + ".svg"), width, height);
        }
        context.Versions["scottplot"] = typeof(ScottPlot.Plot).Assembly.GetName().Version?.ToString(3) ?? "?";
        context.Report["figures"] = Figures.Count;
        context.Report["runsDrawn"] = data.Ok.Count;
        context.Report["runsWithCurves"] = curves.Count;
        context.Log($"{Figures.Count} figures of {data.Ok.Count} usable runs ({curves.Count} with loss curves)");
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
        _ => throw new ArgumentException($"unknown figure '{figure}'", nameof(figure)),
    };

    // One bar per model: a tall enough figure keeps the model names apart.
    private static (int Width, int Height) Size(string figure, PlotData data) =>
        figure == "bac_by_lm" ? (data.Params.Width, Math.Max(data.Params.Height, 160 + 45 * data.Models.Count)) : (data.Params.Width, data.Params.Height);
}
