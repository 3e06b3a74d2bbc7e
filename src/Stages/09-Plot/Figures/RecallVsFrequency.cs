using Lmev.Contracts.Results;
using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary>
/// <c>recall_vs_frequency</c>: the best model's recall on each class against the class's training rows
/// (log scale: the classes' sizes span orders of magnitude), one point per class; where the rare
/// classes sit shows whether the model fails them for lack of examples.
/// </summary>
internal static class RecallVsFrequency
{
    public static ScottPlot.Plot Draw(PlotData d)
    {
        var best = d.Summary?.Best?.Model;
        var plot = Figure.New(d, best is null ? "Recall por clase frente a su frecuencia en entrenamiento" : $"Recall por clase del mejor modelo ({best})",
            "Filas de entrenamiento de la clase (escala log10)", "Recall en test");
        var classes = d.PerClass.Where(c => c.Model == best && double.IsFinite(c.Train)).ToList();
        if (classes.Count == 0) return Figure.Empty(plot, d, "Sin predicciones de test");
        // A class with no training row (possible in a small split) is drawn at 0.5 rows, left of 1.
        var xs = classes.Select(c => Math.Log10(Math.Max(c.Train, 0.5))).ToArray();
        var ys = classes.Select(c => c.Recall).ToArray();
        Figure.Scatter(plot, xs, ys, d.ColorOf(best!).WithAlpha(0.6), size: 7);
        var (min, max) = (xs.Min() - 0.05, xs.Max() + 0.05);
        var ticks = Enumerable.Range(0, 8).SelectMany(k => new[] { 1, 2, 5 }.Select(m => m * Math.Pow(10, k)))
            .Where(v => Math.Log10(v) >= min && Math.Log10(v) <= max).ToArray();
        plot.Axes.Bottom.SetTicks(ticks.Select(Math.Log10).ToArray(),
            ticks.Select(v => v.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture).Replace(',', '\u00A0')).ToArray());
        plot.Axes.SetLimits(min, max, -0.05, 1.08);
        var note = plot.Add.Text($"{classes.Count} clases; recall medio {SpanishLabels.Number(ys.Average())}", min + 0.02, 1.04);
        Figure.Style(note, d);
        return plot;
    }
}
