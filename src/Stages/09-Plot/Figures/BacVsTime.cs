using Lmev.Contracts.Results;
using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary><c>bac_vs_time</c>: test BAC against training seconds, coloured by model, marker shape by device.</summary>
internal static class BacVsTime
{
    public static ScottPlot.Plot Draw(PlotData d)
    {
        var plot = Figure.New(d, "Precisión balanceada frente a tiempo de entrenamiento", "Tiempo de entrenamiento (s)", SpanishLabels.Bac + " (test)");
        var runs = d.Ok.Where(r => r.TrainSeconds is { } s && double.IsFinite(s)).ToList();
        if (runs.Count == 0) return Figure.Empty(plot, d, "Sin ejecuciones válidas");
        var devices = runs.Select(r => r.Device ?? "?").Distinct().Order(StringComparer.Ordinal).ToList();
        MarkerShape ShapeOf(string device) => Figure.Shapes[devices.IndexOf(device) % Figure.Shapes.Length];
        foreach (var g in runs.GroupBy(r => (r.Model, Device: r.Device ?? "?")).OrderBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Device, StringComparer.Ordinal))
            Figure.Scatter(plot, g.Select(r => r.TrainSeconds!.Value).ToArray(), g.Select(r => r.TestBac!.Value).ToArray(), d.ColorOf(g.Key.Model), ShapeOf(g.Key.Device));

        foreach (var model in runs.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal))
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = d.Label(model), LineColor = d.ColorOf(model), LineWidth = 6 });
        foreach (var device in devices)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = device, MarkerShape = ShapeOf(device), MarkerFillColor = Colors.Gray, MarkerLineColor = Colors.Gray, MarkerSize = 10 });
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
