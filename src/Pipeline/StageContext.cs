using System.Text.Json.Nodes;

namespace Lmev.Pipeline;

/// <summary>
/// What a running stage may touch: its inputs, the (temporary) folder its outputs go to, a report
/// that lands in the manifest, a log and progress bars. The folder is published by the cache only
/// after <see cref="IStage.Run"/> returns.
/// </summary>
/// <param name="scratch">Makes the stage's scratch folder on first use (see <see cref="ScratchDirectory"/>); null: none.</param>
public sealed class StageContext(string outputDirectory, string experiment, IReadOnlyDictionary<string, Artifact> inputs, Action<string> log,
    Func<string>? scratch = null)
{
    private string? _scratch;

    public string OutputDirectory { get; } = outputDirectory;

    public string Experiment { get; } = experiment;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = inputs;

    /// <summary>Stage-specific facts for the manifest: row counts, bad rows, throughput.</summary>
    public JsonObject Report { get; } = new();

    /// <summary>Versions of the libraries the stage used, beside lmev's and .NET's own.</summary>
    public SortedDictionary<string, string> Versions { get; } = new(StringComparer.Ordinal);

    /// <summary>The device the work ran on ("cpu" unless a stage says otherwise).</summary>
    public string Device { get; set; } = "cpu";

    public void Log(string message) => log(message);

    /// <summary>
    /// A folder for intermediate files that are not outputs (an archive being unpacked), on the cache's
    /// filesystem, made on first use and removed when the stage ends, however it ends.
    /// </summary>
    public string ScratchDirectory => _scratch ??= (scratch ?? throw new InvalidOperationException("this context has no scratch folder"))();

    public string Input(string name) =>
        Inputs.TryGetValue(name, out var a) ? a.Path
            : throw new InvalidOperationException($"stage has no input named '{name}'");

    /// <summary>The path of an output file inside the stage's folder.</summary>
    public string OutputPath(string file)
    {
        if (file.Contains('/') || file.Contains('\\') || file.StartsWith('.') || file == Manifest.FileName)
            throw new ArgumentException($"'{file}' is not a valid output file name", nameof(file));
        return Path.Combine(OutputDirectory, file);
    }

    public ProgressBar Progress(string label, long total, string unit = "rows") => new(label, total, unit);
}
