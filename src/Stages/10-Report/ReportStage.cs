using System.Text;
using Lmev.Pipeline;
using Lmev.Contracts.Results;

namespace Lmev.Stages.Report;

/// <summary>
/// Writes the results document: <c>README.md</c> (Markdown, in Spanish, figures linked relatively),
/// the figures' PNGs beside it, <c>runs.csv</c> and <c>summary.json</c> (the numbers behind it), and
/// <c>index.html</c>, the same document as one self-contained page. The findings are computed from
/// the numbers by <see cref="Findings"/>.
/// </summary>
public sealed class ReportStage : IStage
{
    public const string Markdown = "README.md";
    public const string Html = "index.html";

    private readonly ReportParams _p;
    private readonly IReadOnlyList<string> _figures;

    /// <param name="summary">Aggregate's summary.json.</param>
    /// <param name="runs">Aggregate's runs.csv.</param>
    /// <param name="figures">Plot's PNG files, in the order they should appear.</param>
    /// <param name="perClass">Aggregate's per-class.csv, copied beside README.md, which links it.</param>
    public ReportStage(ReportParams p, Artifact summary, Artifact runs, IReadOnlyList<Artifact> figures, Artifact? perClass = null)
    {
        var bad = figures.FirstOrDefault(f => !f.File.EndsWith(".png", StringComparison.OrdinalIgnoreCase));
        if (bad is not null) throw new ArgumentException($"figure '{bad.File}' is not a PNG", nameof(figures));
        _p = p;
        _figures = figures.Select(f => f.File).ToList();
        var inputs = figures.ToDictionary(f => "figure:" + f.File, f => f);
        inputs["summary"] = summary;
        inputs["runs"] = runs;
        if (perClass is not null) inputs["per-class"] = perClass;
        Inputs = inputs;
    }

    public string Name => "report";

    public int Version => 5; // 2: says whether the runs shared a split or each drew its own; 3: intervals, like-for-like tests, errors, health; text from data escaped, raw HTML off; 4: marks baselines and compares the best embedding with the best baseline; split.testSource facts;
                                // 5: names the class-stratified bootstrap; comparisons table with the difference, its interval and Holm p first; tables wrap to the page; seeds only in the runs table, as code

    public object Params => _p;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; }

    public void Run(StageContext context)
    {
        var summary = RunSummary.Read(context.Input("summary"));
        var rows = RunsTable.Read(context.Input("runs"));
        var findings = Findings.From(summary);
        var markdown = new ReportDocument(_p, summary, rows, _figures, findings).Write();

        var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in _figures)
        {
            var bytes = File.ReadAllBytes(context.Input("figure:" + file));
            File.WriteAllBytes(context.OutputPath(file), bytes);
            images[file] = bytes;
        }
        File.Copy(context.Input("summary"), context.OutputPath(RunSummary.FileName));
        File.Copy(context.Input("runs"), context.OutputPath(RunsTable.FileName));
        if (Inputs.ContainsKey("per-class")) File.Copy(context.Input("per-class"), context.OutputPath(PerClassTable.FileName));
        File.WriteAllText(context.OutputPath(Markdown), markdown, new UTF8Encoding(false));
        File.WriteAllText(context.OutputPath(Html), HtmlPage.Render(markdown, $"{ReportDocument.Title} — {_p.Experiment}", images), new UTF8Encoding(false));

        context.Versions["markdig"] = typeof(Markdig.Markdown).Assembly.GetName().Version?.ToString(3) ?? "?";
        context.Report["findings"] = findings.Count;
        context.Report["figures"] = _figures.Count;
        context.Log($"{findings.Count} findings, {_figures.Count} figures; open {Html} or {Markdown}");
    }
}
