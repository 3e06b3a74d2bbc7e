namespace Lmev.Pipeline.Results;

/// <summary>
/// The metrics.json of one expected training run, as a downstream stage takes it. A null
/// <see cref="Metrics"/> (or one whose file is gone) means the run never published one: it is
/// reported as <see cref="RunStatus.Missing"/>, not dropped.
/// </summary>
public sealed record RunInput(string Model, int Run, Artifact? Metrics)
{
    /// <summary>The input's name in a stage's inputs and manifest: <c>run:&lt;model&gt;:&lt;k&gt;</c>.</summary>
    public string Name => $"run:{Model}:{Run}";
}
