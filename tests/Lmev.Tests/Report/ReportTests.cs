using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate;
using Lmev.Stages.Plot;
using Lmev.Stages.Report;
using Lmev.Tests.Support;

namespace Lmev.Tests.Report;

public sealed partial class ReportTests
{
    private static ReportParams Params(string experiment = "demo", bool resample = false) => new(
        experiment, "Prueba con títulos generados", "generado (demo)", 20000, 2000, 0.05, 3, resample,
        new JsonObject { ["epochs"] = 10, ["batchSize"] = 512, ["dropout"] = 0.25, ["hidden"] = 512, ["learningRate"] = 0.001, ["patience"] = 3, ["mode"] = "frozen", ["seed"] = 1 },
        new SortedDictionary<string, LockedSource> { ["meli2019-train"] = new("https://example.invalid/train.csv.gz", new string('a', 64), 123456789) },
        "0123456789abcdef0123456789abcdef01234567");

    /// <summary>Aggregate → Plot → Report through the real cache; the report is left in the test output folder.</summary>
    internal static (string Markdown, string Html, Manifest Manifest) Report(TempDir dir, IReadOnlyList<RunInput> runs, string name, ReferenceFigures? reference = null, bool resample = false,
        ReportParams? reportParams = null, SortedDictionary<string, ModelTraits>? models = null)
    {
        var cache = Path.Combine(dir.Path, "cache");
        var (aggregate, _) = StageRunner.Run(new AggregateStage(new AggregateParams(reference, resample, 10, models), runs), cache);
        var (plot, _) = StageRunner.Run(new PlotStage(new PlotParams(), aggregate.Output(RunsTable.FileName), runs,
            aggregate.Output(RunSummary.FileName), aggregate.Output(PerClassTable.FileName)), cache);
        var figures = PlotStage.Figures.Where(f => plot.Outputs.ContainsKey(f + ".png")).Select(f => plot.Output(f + ".png")).ToList();
        var (report, _) = StageRunner.Run(new ReportStage(reportParams ?? Params(resample: resample), aggregate.Output(RunSummary.FileName), aggregate.Output(RunsTable.FileName), figures,
            aggregate.Output(PerClassTable.FileName)), cache);
        var keep = Path.Combine(AppContext.BaseDirectory, "report", name);
        Directory.CreateDirectory(keep);
        foreach (var file in report.Outputs.Keys) File.Copy(Path.Combine(report.Directory, file), Path.Combine(keep, file), overwrite: true);
        return (File.ReadAllText(Path.Combine(report.Directory, ReportStage.Markdown)), File.ReadAllText(Path.Combine(report.Directory, ReportStage.Html)), report);
    }

    /// <summary>The small report's index.html in the test output folder, for the browser test.</summary>
    internal static string WriteSmallReport(TempDir dir)
    {
        Report(dir, Runs.Write(dir, Runs.Small()), "small");
        return Path.Combine(AppContext.BaseDirectory, "report", "small", ReportStage.Html);
    }

    [Fact]
    public void The_report_has_tables_figures_findings_and_one_self_contained_html()
    {
        using var dir = new TempDir();
        var (md, html, m) = Report(dir, Runs.Write(dir, Runs.Small()), "small");

        Assert.StartsWith("# Evaluación de Modelos de Lenguaje en Español para Tareas de Clasificación Multiclase", md);
        Assert.Contains("| es-dim50-norm | 3 | 0.8100 | 0.7852 – 0.8348 | 0.0100 | 0.8000 | 0.8200 | 0 |", md);
        Assert.DoesNotContain("### Por idioma", md); // no pooled table by language, dimension, …
        Assert.Contains("- Idioma: es-dim50-norm (español) frente a en-dim50-norm-with-a-rather-long-name (inglés): diferencia +0.1000", md);
        Assert.Contains("0123456789abcdef0123456789abcdef01234567", md);
        Assert.Contains("`" + new string('a', 64) + "`", md);
        Assert.Contains("torchsharp 0.107.0", md);
        Assert.Contains("Cada ejecución registra su semilla (3 semillas distintas): columna «Semilla» de [la tabla de todas las ejecuciones](#todas-las-ejecuciones).", md);
        Assert.DoesNotContain("1001, 1002", md); // the seeds are in the runs table, not listed in the prose
        foreach (var f in PlotStage.Figures.Where(f => f != PlotStage.Published))
        {
            Assert.Contains($"]({f}.png)", md);
            Assert.True(m.Outputs.ContainsKey(f + ".png"), $"{f}.png is copied beside README.md");
        }
        Assert.Contains(RunsTable.FileName, m.Outputs.Keys);
        Assert.Contains(RunSummary.FileName, m.Outputs.Keys);

        Assert.Equal(PlotStage.Figures.Count - 1, Regex.Matches(html, "<img src=\"data:image/png;base64,").Count);
        Assert.DoesNotContain("src=\"bac_", html); // nothing linked outside the file
        Assert.Contains("<table>", html);
        Assert.Contains("<td>es-dim50-norm</td>", html);
        Assert.Contains("<meta name=\"viewport\"", html);
        Assert.Contains("max-width", html);
        foreach (Match link in Regex.Matches(md, @"\]\(#([^)]+)\)"))
            Assert.Contains($"id=\"{link.Groups[1].Value}\"", html); // every contents link has its heading anchor
    }

    [Fact]
    public void The_comparisons_table_shows_the_difference_its_interval_and_holm_p_after_the_models_and_names_the_class_bootstrap()
    {
        using var dir = new TempDir();
        var (runs, models) = Runs.DemoShaped(dir);
        var (md, _, _) = Report(dir, runs, "demo-shaped-table", models: models);
        Assert.Contains("| Factor | A (media BAC) | B (media BAC) | Diferencia | IC 95 % | p de Holm | ¿Significativa? | Prueba | p |", md);
        var row = md.Split('\n').Single(l => l.StartsWith("| Modo de entrenamiento |", StringComparison.Ordinal));
        Assert.Matches(@"^\| Modo de entrenamiento \| random-dim50-fine-tune \(fine-tune\): 0\.\d{4} \| random-dim50-with-normalization \(congelado \(frozen\)\): 0\.\d{4} \| " +
                       @"[+-]0\.\d{4} \| [+-]0\.\d{4} a [+-]0\.\d{4} \| (0\.\d{4}|< 0\.0001) \| (sí|no) \| bootstrap pareado por clase \| (0\.\d{4}|< 0\.0001) \|$", row);
        Assert.Contains(ReportDocument.BootstrapNote, md);
        Assert.Contains("bootstrap pareado estratificado por clase sobre los títulos de test", md); // the findings name it too
        Assert.Contains("Cada ejecución registra su semilla (28 semillas distintas)", md);

        var (small, _, _) = Report(dir, Runs.Write(dir, Runs.Small()), "small-welch");
        Assert.DoesNotContain(ReportDocument.BootstrapNote, small); // t intervals and Welch only: no bootstrap to explain
        Assert.Contains("| t de Welch (t = ", small);
    }

    [Fact]
    public void The_report_states_whether_the_runs_shared_a_split_or_each_drew_its_own()
    {
        using var dir = new TempDir();
        var (paired, _, _) = Report(dir, Runs.Write(dir, Runs.Small()), "paired");
        Assert.Contains("Las corridas comparten una misma partición (diseño pareado).", paired);
        Assert.DoesNotContain("remuestreo por corrida", paired);
        var (resampled, _, _) = Report(dir, Runs.Write(dir, Runs.Small()), "resampled", resample: true);
        Assert.Contains("Cada corrida usó su propia muestra (remuestreo por corrida).", resampled);
        Assert.DoesNotContain("diseño pareado", resampled);
    }

    [Fact]
    public void One_model_with_one_run_reports_an_undefined_std()
    {
        using var dir = new TempDir();
        var (md, html, _) = Report(dir, Runs.Write(dir, [Runs.Make("solo", 1, 0.6)]), "one-run");
        Assert.Contains("| solo | 1 | 0.6000 | — | indefinida | 0.6000 | 0.6000 | 0 |", md);
        Assert.Contains("La desviación estándar es indefinida para solo", md);
        Assert.DoesNotContain("de los modelos en", md);
        Assert.Contains(">indefinida</td>", html);
    }

    [Fact]
    public void Diverged_and_missing_runs_are_listed_and_counted()
    {
        using var dir = new TempDir();
        var runs = Runs.Write(dir,
        [
            Runs.Make("m", 1, 0.8), Runs.Make("m", 2, 0.7),
            Runs.Make("m", 3, 0.9) with { BestValLoss = double.NaN },
        ]);
        runs.Add(new RunInput("m", 4, null));
        var (md, _, _) = Report(dir, runs, "bad-runs");
        Assert.Contains("- 2 de 4 ejecuciones se excluyeron de las medias: 1 divergió (pérdida NaN), 1 falta (sin metrics.json).", md);
        Assert.Contains("### Ejecuciones excluidas de las medias", md);
        Assert.Contains("| m | 3 | diverged |", md);
        Assert.Contains("| m | 4 | missing |", md);
        Assert.Contains("| m | 2 | 0.7500 | 0.1147 – 1.3853 | 0.0707 | 0.7000 | 0.8000 | 2 |", md);
    }

    [SkippableFact]
    public void The_studys_runs_make_a_report_with_the_reference_comparison()
    {
        var runs = ReferenceRuns.Read(SharedData.Require("reference-runs.csv"));
        var reference = new ReferenceFigures("el estudio original",
            new SortedDictionary<string, double> { ["nnlm-es-dim50-with-normalization"] = 0.7536, ["nnlm-en-dim50-with-normalization"] = 0.7235, ["nnlm-en-dim50"] = 0.7047 },
            new SortedDictionary<string, double[]> { ["nnlm-en-dim50"] = runs.Where(r => r.Model == "nnlm-en-dim50").Select(r => r.Test.BalancedAccuracy).ToArray() });
        using var dir = new TempDir();
        var (md, _, m) = Report(dir, Runs.Write(dir, runs), "reference", reference, resample: true);
        Assert.Contains("### Publicado frente a reproducido (el estudio original)", md);
        Assert.Contains("| nnlm-en-dim50 | 0.7047 | 4 | 0.7047 |", md);
        Assert.Contains("| nnlm-es-dim50-with-normalization | 0.7536 | 0 | 0.7536 |", md);
        Assert.Contains("- Normalización: el estudio publicó nnlm-en-dim50-with-normalization > nnlm-en-dim50 (+0.0188)", md);
        Assert.Contains("published_vs_ours.png", md);
        Assert.Contains("Tesla T4", md);
        Assert.Contains("t de Welch", md);
    }

    /// <summary>Runs whose model and category names hold Markdown and HTML.</summary>
    internal static List<RunInput> HostileRuns(TempDir dir) => Runs.WriteWithPredictions(dir,
    [
        (Hostile[0], 50, 1, 0.9), (Hostile[0], 50, 2, 0.88),
        (Hostile[1], 128, 1, 0.7), (Hostile[1], 128, 2, 0.72),
        (Hostile[2], 300, 1, 0.5),
    ]);

    public static readonly string[] Hostile = ["m|1*bold*", "<img src=x onerror=\"window.lmevPwned=3\">", "<script>window.lmevPwned=4</script>"];

    [Fact]
    public void Names_with_markdown_and_html_stay_text_and_tables_keep_their_shape()
    {
        using var dir = new TempDir();
        var p = Params() with { Description = "Descripción con <script>window.lmevPwned=5</script> y *énfasis*" };
        var (md, html, _) = Report(dir, HostileRuns(dir), "hostile", reportParams: p);
        // No raw tag survives into the page: every '<' from data is shown as text.
        Assert.DoesNotContain("<script>window", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<em>bold</em>", html);
        Assert.Contains("&lt;script&gt;window.lmevPwned=4&lt;/script&gt;", html);
        Assert.Contains("m|1*bold*", System.Net.WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", "")));
        // Every table row has as many cells as its header.
        foreach (Match table in Regex.Matches(html, "<table>.*?</table>", RegexOptions.Singleline))
        {
            var rows = Regex.Matches(table.Value, "<tr>.*?</tr>", RegexOptions.Singleline).Select(r => Regex.Matches(r.Value, "<t[hd][ >]").Count).ToList();
            Assert.All(rows, n => Assert.Equal(rows[0], n));
        }
        Assert.Contains(@"m\|1\*bold\*", md);
        Assert.Contains(@"\<script\>", md);
    }
}
