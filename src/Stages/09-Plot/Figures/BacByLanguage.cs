using Lmev.Contracts.Results;
using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary><c>bac_by_lang</c>: every usable run's test BAC, grouped by the model's language, with each group's mean.</summary>
internal static class BacByLanguage
{
    public static ScottPlot.Plot Draw(PlotData d)
    {
        var plot = Figure.New(d, "Precisión balanceada por idioma del modelo", "Idioma del modelo", SpanishLabels.Bac + " (test)");
        var groups = d.Ok.GroupBy(r => r.Language ?? "?", StringComparer.Ordinal)
            .OrderByDescending(g => g.Average(r => r.TestBac!.Value)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (groups.Count == 0) return Figure.Empty(plot, d, "Sin ejecuciones válidas");
        var palette = new ScottPlot.Palettes.Category10();
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var runs = groups[gi].OrderBy(r => r.TestBac).ToList();
            var xs = runs.Select((_, i) => gi + PlotData.Jitter(i, runs.Count)).ToArray();
            var ys = runs.Select(r => r.TestBac!.Value).ToArray();
            Figure.Scatter(plot, xs, ys, palette.GetColor(gi).WithAlpha(0.75));
            var mean = ys.Average();
            var line = plot.Add.Line(gi - 0.3, mean, gi + 0.3, mean);
            line.Color = Colors.Black;
            line.LineWidth = 3;
            var label = plot.Add.Text($"media {SpanishLabels.Number(mean)}", gi + 0.32, mean);
            Figure.Style(label, d);
        }
        plot.Axes.Bottom.SetTicks(
            Enumerable.Range(0, groups.Count).Select(i => (double)i).ToArray(),
            groups.Select(g => $"{SpanishLabels.Language(g.Key)} (n = {g.Count()})").ToArray());
        plot.Axes.SetLimitsX(-0.6, groups.Count - 0.4 + 0.5);
        return plot;
    }
}
