using Lmev.Pipeline;
namespace Lmev.Contracts.Results;

/// <summary>
/// The outputs of one expected training run, as a downstream stage takes them. A null
/// <see cref="Metrics"/> (or one whose file is gone) means the run never published one: it is
/// reported as <see cref="RunStatus.Missing"/>, not dropped. <see cref="Predictions"/> is the run's
/// <c>test-predictions.csv</c> (<c>title,category,predicted</c>) and <see cref="Classes"/> its split's
/// <c>classes.csv</c> (<c>label,category,train,val,test</c>); without them the run has no per-class figures.
/// </summary>
public sealed record RunInput(string Model, int Run, Artifact? Metrics, Artifact? Predictions = null, Artifact? Classes = null)
{
    /// <summary>The input's name in a stage's inputs and manifest: <c>run:&lt;model&gt;:&lt;k&gt;</c>.</summary>
    public string Name => $"run:{Model}:{Run}";

    public string PredictionsName => $"predictions:{Model}:{Run}";

    public string ClassesName => $"classes:{Model}:{Run}";
}
