namespace Lmev.Flow;

/// <summary>
/// A step of the pipeline as everything outside the flow sees it: the `lmev` subcommand, the Cake
/// task (<see cref="Target"/>) and its description, and how it fans out. <see cref="FlowSteps.All"/>
/// is the one list; build.cake repeats it, and a test checks that the two agree.
/// </summary>
/// <param name="Name">Kebab-case: the `lmev` subcommand, the stage's name and its cache folder.</param>
/// <param name="Description">One line, shown by `lmev --help` and by Cake's task list.</param>
/// <param name="Units">How the step fans out.</param>
public sealed record FlowStep(string Name, string Description, UnitKind Units)
{
    /// <summary>The Cake target that runs the step: its name in PascalCase.</summary>
    public string Target => string.Concat(Name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>Whether the step has per-run units (always, or with <c>runs.resample</c>), so that <c>--run</c> selects among them.</summary>
    public bool TakesRuns => Units is UnitKind.PerSample or UnitKind.PerFrozenModelSample or UnitKind.PerRun;

    /// <summary>Whether the step's units belong to models, so that <c>--model</c> selects among them.</summary>
    public bool TakesModels => Units is UnitKind.PerModel or UnitKind.PerFrozenModelSample or UnitKind.PerRun;
}
