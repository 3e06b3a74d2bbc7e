using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;

namespace Lmev.Stages.Download;

/// <summary>What the Download stage's key is made of for a pinned source: its identity, not its hash,
/// so that filling an empty hash on first download (trust on first use) does not change the key.</summary>
public sealed record LockedSourceParams(string Source, string Url, string Format);

/// <summary>What the Download stage's key is made of for generated demo data.</summary>
public sealed record GeneratedSourceParams(DemoDataParams Generate, int GeneratorVersion);

/// <summary>
/// The first stage: brings the experiment's raw table into the cache, either fetched from a source
/// pinned in data.lock.json (verified against its SHA-256 and size) or generated from a seed for the
/// offline demo. Output: <c>source.&lt;format&gt;</c>.
/// </summary>
public sealed class DownloadStage : IStage
{
    private readonly Action<StageContext> _run;

    private DownloadStage(object @params, string output, Action<StageContext> run, string unit = "")
    {
        Unit = unit;
        Params = @params;
        Output = output;
        _run = run;
    }

    public string Name => "download";

    public int Version => 1;

    public object Params { get; }

    /// <summary>"" for the dataset; <c>test-source</c> for split.testSource.</summary>
    public string Unit { get; }

    /// <summary>The file this stage publishes.</summary>
    public string Output { get; }

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact>();

    public void Run(StageContext context) => _run(context);

    public static DownloadStage FromLock(string name, LockedSource source, SourceFetcher fetcher, string partialDirectory, string unit = "")
    {
        var output = $"source.{source.Format}";
        return new DownloadStage(new LockedSourceParams(name, source.Url, source.Format), output, context =>
        {
            var fetched = fetcher.Fetch(name, source, context.OutputPath(output), partialDirectory);
            context.Report["source"] = name;
            context.Report["url"] = source.Url;
            context.Report["finalUrl"] = fetched.FinalUrl; // where redirects led; null for a local file
            context.Report["sha256"] = fetched.Verified.Sha256;
            context.Report["size"] = fetched.Verified.Size;
        }, unit);
    }

    public static DownloadStage Generate(DemoDataParams demo)
    {
        const string output = "source.csv";
        return new DownloadStage(new GeneratedSourceParams(demo, DemoTitles.Version), output, context =>
        {
            using var file = new FileStream(context.OutputPath(output), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            using var progress = context.Progress("generate demo", demo.Rows);
            var rows = DemoTitles.Write(demo, file, progress.Report);
            context.Log($"generated {rows:N0} demo rows (seed {demo.Seed})");
            context.Report["rows"] = rows;
        });
    }
}
