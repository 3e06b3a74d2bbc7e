using Lmev.Contracts.Results;
using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary><c>loss_vs_bac</c>: best validation loss against test BAC, one point per usable run, coloured by model.</summary>
internal static class LossVsBac
{
    public static ScottPlot.Plot Draw(PlotData d)
    {
        var plot = Figure.New(d, "Pérdida de validación frente a precisión balanceada", "Pérdida de validación (mejor época)", SpanishLabels.Bac + " (test)");
        var runs = d.Ok.Where(r => r.BestValLoss is { } l && double.IsFinite(l)).ToList();
        if (runs.Count == 0) return Figure.Empty(plot, d, "Sin ejecuciones válidas");
        foreach (var g in runs.GroupBy(r => r.Model, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            Figure.Scatter(plot, g.Select(r => r.BestValLoss!.Value).ToArray(), g.Select(r => r.TestBac!.Value).ToArray(), d.ColorOf(g.Key),
                d.IsBaseline(g.Key) ? MarkerShape.Eks : MarkerShape.FilledCircle, size: d.IsBaseline(g.Key) ? 12 : 9, legend: d.Label(g.Key));
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
