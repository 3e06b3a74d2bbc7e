using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate;
using Lmev.Stages.Plot;
using Lmev.Tests.Support;
using SkiaSharp;

namespace Lmev.Tests.Report;

public sealed class PlotTests
{
    /// <summary>Where the figures are left for a person to look at: the test output folder.</summary>
    public static string FiguresFolder(string name) => Path.Combine(AppContext.BaseDirectory, "figures", name);

    /// <summary>Runs Aggregate then Plot on <paramref name="runs"/> and copies the figures to <see cref="FiguresFolder"/>.</summary>
    internal static Manifest AggregateAndPlot(TempDir dir, IReadOnlyList<RunInput> runs, string name, PlotParams? p = null, AggregateParams? aggregateParams = null)
    {
        var cache = Path.Combine(dir.Path, "cache");
        var (aggregate, _) = StageRunner.Run(new AggregateStage(aggregateParams ?? new AggregateParams(), runs), cache);
        var (plot, _) = StageRunner.Run(new PlotStage(p ?? new PlotParams(), aggregate.Output(RunsTable.FileName), runs,
            aggregate.Output(RunSummary.FileName), aggregate.Output(PerClassTable.FileName)), cache);
        var keep = FiguresFolder(name);
        Directory.CreateDirectory(keep);
        foreach (var file in plot.Outputs.Keys.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
            File.Copy(Path.Combine(plot.Directory, file), Path.Combine(keep, file), overwrite: true);
        return plot;
    }

    /// <summary>The figures of an experiment without reference figures.</summary>
    private static readonly IReadOnlyList<string> Drawn = PlotStage.Figures.Where(f => f != PlotStage.Published).ToList();

    [Fact]
    public void Recall_by_class_frequency_and_published_runs_over_ours_are_drawn()
    {
        using var dir = new TempDir();
        var runs = Runs.WriteWithPredictions(dir, [("x-dim50", 50, 1, 0.9), ("x-dim50", 50, 2, 0.85), ("x-dim128", 128, 1, 0.6), ("x-dim128", 128, 2, 0.65)]);
        var reference = new Lmev.Stages.Aggregate.ReferenceFigures("el estudio",
            new SortedDictionary<string, double> { ["x-dim50"] = 0.80, ["x-dim128"] = 0.70 },
            new SortedDictionary<string, double[]> { ["x-dim50"] = [0.79, 0.80, 0.81, 0.80], ["x-dim128"] = [0.69, 0.70, 0.71, 0.70] });
        var m = AggregateAndPlot(dir, runs, "errors", aggregateParams: new AggregateParams(reference));
        foreach (var f in new[] { "recall_vs_frequency", PlotStage.Published })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(m.Directory, f + ".png"));
            Assert.Equal(1000, bitmap.Width);
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(m.Directory, f + ".svg")));
        }
        Assert.Contains("Filas de entrenamiento", File.ReadAllText(Path.Combine(m.Directory, "recall_vs_frequency.svg")));
        Assert.Contains("publicadas", File.ReadAllText(Path.Combine(m.Directory, PlotStage.Published + ".svg")));
    }

    [Fact]
    public void Each_figure_is_written_as_png_and_svg_under_the_studys_names()
    {
        using var dir = new TempDir();
        var m = AggregateAndPlot(dir, Runs.Write(dir, Runs.Small()), "small");
        var expected = Drawn.SelectMany(f => new[] { f + ".png", f + ".svg" }).Order(StringComparer.Ordinal);
        Assert.Equal(expected, m.Outputs.Keys.Where(k => k != Manifest.FileName).Order(StringComparer.Ordinal));
        foreach (var f in Drawn)
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(m.Directory, f + ".png"));
            Assert.Equal(1000, bitmap.Width);
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(m.Directory, f + ".svg")));
        }
        Assert.Equal(9, (int)m.Report["runsWithCurves"]!);
    }

    [Fact]
    public void Spanish_labels_with_accents_are_drawn_as_text()
    {
        using var dir = new TempDir();
        var m = AggregateAndPlot(dir, Runs.Write(dir, Runs.Small()), "small");
        // The title strip of every figure has dark text pixels (ScottPlot draws none when its font is missing).
        foreach (var f in Drawn)
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(m.Directory, f + ".png"));
            var dark = 0;
            for (var y = 0; y < 40; y++)
                for (var x = 0; x < bitmap.Width; x++)
                    if (bitmap.GetPixel(x, y) is var c && c.Red < 100 && c.Green < 100 && c.Blue < 100) dark++;
            Assert.True(dark > 200, $"{f}.png: expected a drawn title, found {dark} dark pixels in the title strip");
        }
        var svg = File.ReadAllText(Path.Combine(m.Directory, "loss_training_curve.svg"));
        Assert.Contains("Época", svg);
        Assert.Contains("Pérdida", svg);
    }

    [Fact]
    public void A_missing_font_is_an_error_naming_the_debian_package()
    {
        var e = Assert.Throws<LmevException>(() => FontCheck.Require("No Such Font Family 42"));
        Assert.Contains("'No Such Font Family 42'", e.Message);
        Assert.Contains("fonts-dejavu-core", e.Message);
        FontCheck.Require(FontCheck.DefaultFamily); // installed here; CI installs it too
    }

    [Fact]
    public void Bad_runs_and_single_runs_are_drawn_without_a_crash()
    {
        using var dir = new TempDir();
        var runs = Runs.Write(dir,
        [
            Runs.Make("solo", 1, 0.7),
            Runs.Make("pair", 1, 0.6, "en"), Runs.Make("pair", 2, 0.62, "en"),
            Runs.Make("pair", 3, 0.9, "en") with { BestValLoss = double.NaN },
        ]);
        runs.Add(new RunInput("pair", 4, null));
        var m = AggregateAndPlot(dir, runs, "bad-runs");
        Assert.Equal(3, (int)m.Report["runsDrawn"]!);
    }

    [Fact]
    public void No_usable_run_still_writes_every_figure()
    {
        using var dir = new TempDir();
        var m = AggregateAndPlot(dir, [new RunInput("m", 1, null), new RunInput("m", 2, null)], "no-runs");
        Assert.Equal(2 * Drawn.Count, m.Outputs.Count);
    }

    [SkippableFact]
    public void The_studys_published_runs_are_drawn()
    {
        var runs = ReferenceRuns.Read(SharedData.Require("reference-runs.csv"));
        using var dir = new TempDir();
        var m = AggregateAndPlot(dir, Runs.Write(dir, runs), "reference");
        Assert.Equal(32, (int)m.Report["runsDrawn"]!);
        Assert.Equal(0, (int)m.Report["runsWithCurves"]!); // the study published no per-epoch losses
    }
}
