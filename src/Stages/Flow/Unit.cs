using Lmev.Pipeline;
using Lmev.Contracts;

namespace Lmev.Flow;

/// <summary>One unit of a step: a model, a run, both, or neither. Its name is the stage's <see cref="IStage.Unit"/>.</summary>
internal sealed record Unit(ModelSpec? Model = null, int? Run = null, bool TestSource = false)
{
    public static readonly Unit None = new();

    /// <summary>split.testSource's rows, downloaded and filtered beside the dataset's.</summary>
    public static readonly Unit TestRows = new(TestSource: true);

    public string Name => TestSource ? "test-source" : (Model?.Name, Run) switch
    {
        (null, null) => "",
        (null, { } k) => $"run-{k}",
        ({ } m, null) => m,
        ({ } m, { } k) => $"{m}/run-{k}",
    };

    /// <summary>The `lmev` arguments that choose this unit: " --model M --run K", as far as it has them.</summary>
    public string Slice => (Model is { } m ? $" --model {m.Name}" : "") + (Run is { } k ? $" --run {k}" : "");
}
