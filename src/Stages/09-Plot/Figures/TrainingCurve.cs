using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary>
/// <c>loss_training_curve</c>: training (solid) and validation (dashed) loss per epoch, the mean
/// over each model's usable runs, one line pair per model.
/// </summary>
internal static class TrainingCurve
{
    public static ScottPlot.Plot Draw(PlotData d)
    {
        var plot = Figure.New(d, "Curvas de entrenamiento (media de las ejecuciones)", "Época", "Pérdida (entropía cruzada)");
        if (d.Curves.Count == 0) return Figure.Empty(plot, d, "Las ejecuciones no registraron la pérdida por época");
        foreach (var c in d.Curves)
        {
            var train = plot.Add.Scatter(c.Epochs, c.Loss, d.ColorOf(c.Model));
            var width = d.IsBaseline(c.Model) ? 4 : 2;   // a baseline's curves stand out from the embeddings'
            train.LineWidth = width;
            train.MarkerSize = 5;
            var val = plot.Add.Scatter(c.Epochs, c.ValLoss, d.ColorOf(c.Model));
            val.LineWidth = width;
            val.MarkerSize = 6;
            val.MarkerShape = MarkerShape.OpenCircle; // also tells validation apart where dashes are lost (SVG)
            val.LinePattern = LinePattern.Dashed;
        }
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "entrenamiento (continua)", LineColor = Colors.Gray, LineWidth = 2 });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "validación (discontinua, ○)", LineColor = Colors.Gray, LineWidth = 2, LinePattern = LinePattern.Dashed, MarkerShape = MarkerShape.OpenCircle, MarkerColor = Colors.Gray, MarkerSize = 6 });
        foreach (var c in d.Curves)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{d.Label(c.Model)} (n = {c.Runs})", LineColor = d.ColorOf(c.Model), LineWidth = d.IsBaseline(c.Model) ? 4 : 2 });
        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        return plot;
    }
}
