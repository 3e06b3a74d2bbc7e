using Lmev.Pipeline.Results;
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
        // log10(rows + 1) keeps a class with no training row on the axis (at 0).
        var xs = classes.Select(c => Math.Log10(c.Train + 1)).ToArray();
        var ys = classes.Select(c => c.Recall).ToArray();
        Figure.Scatter(plot, xs, ys, d.ColorOf(best!).WithAlpha(0.6), size: 7);
        var ticks = Enumerable.Range(0, (int)Math.Ceiling(xs.Max()) + 1).ToArray();
        plot.Axes.Bottom.SetTicks(ticks.Select(t => (double)t).ToArray(), ticks.Select(t => Math.Pow(10, t).ToString("#,0", System.Globalization.CultureInfo.InvariantCulture).Replace(',', '\u00A0')).ToArray());
        plot.Axes.SetLimitsY(-0.05, 1.05);
        var note = plot.Add.Text($"{classes.Count} clases; recall medio {SpanishLabels.Number(ys.Average())}", 0.05, 1.02);
        Figure.Style(note, d);
        return plot;
    }
}
