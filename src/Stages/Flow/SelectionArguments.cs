namespace Lmev.Flow;

/// <summary>
/// The arguments that choose what a step runs and how, as Cake passes them on (<c>dotnet cake --model=… --run=…</c>):
/// each step takes those its <see cref="FlowStep.Arguments"/> name. Besides them, build.cake reads <c>--target</c>,
/// <c>--experiment</c> and <c>--gpu</c>; <see cref="CakeArguments"/> is every name `lmev check` lets through.
/// </summary>
public static class SelectionArguments
{
    public const string Model = "--model", Run = "--run", Device = "--device", Locked = "--locked", Force = "--force";

    /// <summary>In the order a step's command line lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Model, Run, Device, Locked, Force];

    /// <summary>What build.cake reads besides the selection arguments: the target, the experiment and the CUDA build.</summary>
    public static IReadOnlyList<string> CakeOwn { get; } = ["target", "experiment", "gpu"];

    /// <summary>Cake's own options (cakebuild.net, "Running the build script"), which any build script accepts.</summary>
    public static IReadOnlyList<string> CakeBuiltIn { get; } =
        ["verbosity", "v", "description", "showdescription", "tree", "showtree", "dryrun", "noop", "whatif", "exclusive", "e",
         "debug", "d", "info", "version", "help", "h", "bootstrap", "skip-bootstrap"];

    /// <summary>
    /// Every argument name `dotnet cake` may be given for this project, without dashes: build.cake's, then Cake's own.
    /// The first <see cref="Suggested"/> are the ones a typo is matched against and the error lists.
    /// </summary>
    public static IReadOnlyList<string> CakeArguments { get; } = [.. CakeOwn, .. All.Select(a => a[2..]), .. CakeBuiltIn];

    /// <summary>The project's own arguments: what an unknown argument is compared with.</summary>
    public static IReadOnlyList<string> Suggested { get; } = [.. CakeOwn, .. All.Select(a => a[2..])];

    /// <summary>
    /// The arguments Cake was given that neither build.cake nor Cake reads, each with the closest known one: a typo such as
    /// <c>--modle</c> would otherwise be ignored silently and the whole experiment run. Null when every name is known.
    /// </summary>
    public static string? UnknownCakeArguments(IEnumerable<string> given)
    {
        var unknown = given.Where(g => !CakeArguments.Contains(g, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count == 0) return null;
        var each = unknown.Select(u => $"--{u}" + (Lmev.Pipeline.Suggestions.Closest(u, Suggested) is { } close ? $" (did you mean --{close}?)" : ""));
        return $"unknown argument{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", each)}; arguments: {string.Join(", ", Suggested.Select(k => "--" + k))} " +
               "(see README.md, \"Run\"); nothing was run";
    }
}
