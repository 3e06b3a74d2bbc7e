using Lmev.Contracts.Results;
using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary>
/// <c>published_vs_ours</c>: per published model, the published runs (diamonds) beside ours (circles),
/// with our mean and its 95 % interval as an error bar; drawn only for an experiment with reference figures.
/// </summary>
internal static class PublishedVsOurs
{
    public static ScottPlot.Plot Draw(PlotData d)
    {
        var plot = Figure.New(d, "Publicado frente a reproducido", "", SpanishLabels.Bac + " (test)");
        var reference = d.Summary?.Reference;
        if (reference is null || reference.Models.Count == 0) return Figure.Empty(plot, d, "El experimento no tiene cifras publicadas");
        var models = reference.Models.OrderByDescending(m => m.Published).ToList();
        var published = Colors.Gray;
        for (var i = 0; i < models.Count; i++)
        {
            var m = models[i];
            var values = m.PublishedValues.Count > 0 ? m.PublishedValues.ToArray() : [m.Published];
            Figure.Scatter(plot, values.Select((_, k) => i - 0.18 + PlotData.Jitter(k, values.Length, 0.12)).ToArray(), values, published, MarkerShape.FilledDiamond, 9);
            var ours = d.Ok.Where(r => r.Model == m.Model).Select(r => r.TestBac!.Value).ToArray();
            if (ours.Length == 0) continue;
            var color = d.Models.Contains(m.Model) ? d.ColorOf(m.Model) : Colors.Black;
            Figure.Scatter(plot, ours.Select((_, k) => i + 0.18 + PlotData.Jitter(k, ours.Length, 0.12)).ToArray(), ours, color.WithAlpha(0.8));
            if (m.OursLow is { } low && m.OursHigh is { } high && m.Ours is { } mean)
            {
                foreach (var (x1, y1, x2, y2) in new[] { (i + 0.32, low, i + 0.32, high), (i + 0.27, low, i + 0.37, low), (i + 0.27, high, i + 0.37, high), (i + 0.24, mean, i + 0.40, mean) })
                {
                    var line = plot.Add.Line(x1, y1, x2, y2);
                    line.Color = Colors.Black;
                    line.LineWidth = 2;
                }
            }
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, models.Count).Select(i => (double)i).ToArray(), models.Select(m => m.Model).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30; // clockwise: names run down and right, away from the axis
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 150;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "publicadas", MarkerShape = MarkerShape.FilledDiamond, MarkerFillColor = published, MarkerLineColor = published, MarkerSize = 9 });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "nuestras (media e IC 95 %)", MarkerShape = MarkerShape.FilledCircle, MarkerFillColor = Colors.Black, MarkerLineColor = Colors.Black, MarkerSize = 9 });
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimitsX(-0.6, models.Count - 0.4);
        return plot;
    }
}
