namespace Lmev.Flow;

/// <summary>
/// A step of the pipeline as everything outside the flow sees it: the `lmev` subcommand, the Cake
/// task (<see cref="Target"/>) and its description, how it fans out, and which of the selection
/// arguments it takes. <see cref="FlowSteps.All"/> is the one list: `lmev`'s step commands declare
/// exactly <see cref="Arguments"/>, and build.cake passes each step only those (it reads them from
/// `lmev steps --json`).
/// </summary>
/// <param name="Name">Kebab-case: the `lmev` subcommand, the stage's name and its cache folder.</param>
/// <param name="Description">One line, shown by `lmev --help` and by Cake's task list.</param>
/// <param name="Units">How the step fans out.</param>
/// <param name="ChoosesDevice">Whether the step runs where <c>--device</c> says (Train); the device is never in a key.</param>
public sealed record FlowStep(string Name, string Description, UnitKind Units, bool ChoosesDevice = false)
{
    /// <summary>The Cake target that runs the step: its name in PascalCase.</summary>
    public string Target => string.Concat(Name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>Whether the step has per-run units (always, or with <c>runs.resample</c>), so that <c>--run</c> selects among them.</summary>
    public bool TakesRuns => Units is UnitKind.PerSample or UnitKind.PerFrozenModelSample or UnitKind.PerRun;

    /// <summary>Whether the step's units belong to models, so that <c>--model</c> selects among them.</summary>
    public bool TakesModels => Units is UnitKind.PerModel or UnitKind.PerFrozenModelSample or UnitKind.PerRun;

    /// <summary>
    /// The selection arguments the step takes, in <see cref="SelectionArguments.All"/>'s order: <c>--model</c> and <c>--run</c>
    /// where they choose among its units, <c>--device</c> where it chooses where it runs, and <c>--locked</c> and <c>--force</c>
    /// on every step (any step may read a download whose lock entry has no hash yet, and any step may be Cake's target).
    /// </summary>
    public IReadOnlyList<string> Arguments =>
        SelectionArguments.All.Where(a => a switch
        {
            SelectionArguments.Model => TakesModels,
            SelectionArguments.Run => TakesRuns,
            SelectionArguments.Device => ChoosesDevice,
            _ => true,
        }).ToList();
}
