using ScottPlot;

namespace Lmev.Stages.Plot.Figures;

/// <summary>What every figure shares: the font, the titles, and a note when there is nothing to draw.</summary>
internal static class Figure
{
    public static ScottPlot.Plot New(PlotData d, string title, string xLabel, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        plot.Font.Set(d.Params.Font);
        plot.Title(title + d.ExcludedNote, 16);
        plot.XLabel(xLabel, 14);
        plot.YLabel(yLabel, 14);
        return plot;
    }

    /// <summary>A figure with no data still says why, rather than showing empty axes.</summary>
    public static ScottPlot.Plot Empty(ScottPlot.Plot plot, PlotData d, string why)
    {
        var note = plot.Add.Annotation(why, Alignment.MiddleCenter);
        note.LabelFontSize = 16;
        note.LabelFontName = d.Params.Font;
        note.LabelBackgroundColor = Colors.White;
        note.LabelShadowColor = Colors.Transparent;
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Axes.Bottom.SetTicks([], []);
        plot.Axes.Left.SetTicks([], []);
        plot.HideGrid();
        return plot;
    }

    /// <summary>Text plottables do not follow <c>plot.Font</c>: give them the checked font explicitly.</summary>
    public static void Style(ScottPlot.Plottables.Text text, PlotData d, float size = 13)
    {
        text.LabelFontName = d.Params.Font;
        text.LabelFontSize = size;
        text.LabelAlignment = Alignment.MiddleLeft;
    }

    public static readonly MarkerShape[] Shapes =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.Cross, MarkerShape.Eks, MarkerShape.FilledTriangleDown, MarkerShape.Asterisk];

    public static void Scatter(ScottPlot.Plot plot, double[] xs, double[] ys, Color color, MarkerShape shape = MarkerShape.FilledCircle, float size = 9, string? legend = null)
    {
        var s = plot.Add.Scatter(xs, ys, color);
        s.LineWidth = 0;
        s.MarkerShape = shape;
        s.MarkerSize = size;
        if (legend is not null) s.LegendText = legend;
    }
}
