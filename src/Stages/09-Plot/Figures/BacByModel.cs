using Lmev.Contracts.Results;
using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary>
/// <c>bac_by_lm</c>: mean test BAC per model as horizontal bars (long model names stay readable),
/// ±1 sample standard deviation as error bars, every run as a point; best model on top. A baseline's
/// bar is hatched with a dashed outline and its name says "línea base".
/// </summary>
internal static class BacByModel
{
    public static ScottPlot.Plot Draw(PlotData d)
    {
        var plot = Figure.New(d, "Precisión balanceada por modelo (media ± 1 desv. est.)", SpanishLabels.Bac + " (test)", "");
        var models = d.ModelsByMean();
        if (models.Count == 0) return Figure.Empty(plot, d, "Sin ejecuciones válidas");
        var n = models.Count;
        var bars = new List<Bar>();
        for (var i = 0; i < n; i++)
        {
            var (model, bac) = models[i];
            var y = n - 1 - i; // best on top
            var mean = bac.Average();
            var baseline = d.IsBaseline(model);
            var std = bac.Length > 1 ? Math.Sqrt(bac.Sum(v => (v - mean) * (v - mean)) / (bac.Length - 1)) : 0;
            bars.Add(new Bar
            {
                Position = y,
                Value = mean,
                Error = std,
                Size = 0.7,
                FillColor = d.ColorOf(model).WithAlpha(baseline ? 0.2 : 0.55),
                FillHatch = baseline ? new ScottPlot.Hatches.Striped() : null,
                FillHatchColor = d.ColorOf(model),
                LineColor = Colors.Black, // also the error bar's colour
                LineWidth = baseline ? 2.5f : 1.5f,
                LinePattern = baseline ? LinePattern.Dashed : LinePattern.Solid,
                Orientation = Orientation.Horizontal,
            });
            // The bars start at 0, so close means look alike: the numbers say what the lengths cannot.
            var label = plot.Add.Text($"{SpanishLabels.Number(mean)} ± {(bac.Length > 1 ? SpanishLabels.Number(std) : "indef.")}", Math.Max(bac.Max(), mean + std) + 0.01, y);
            Figure.Style(label, d);
            Figure.Scatter(plot, bac, bac.Select((_, k) => y + PlotData.Jitter(k, bac.Length, 0.3)).ToArray(), Colors.Black, size: 6);
        }
        plot.Add.Bars(bars);
        plot.Axes.Left.SetTicks(
            Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray(),
            models.Select(m => $"{d.Label(m.Model)} (n = {m.Bac.Length})").ToArray());
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        var max = models.Max(m => m.Bac.Max());
        plot.Axes.SetLimits(0, max * 1.25, -0.6, n - 0.4);
        return plot;
    }
}
