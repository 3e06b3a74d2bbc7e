using System.CommandLine;
using Lmev.Flow;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>
/// `lmev &lt;step&gt;`: one subcommand per entry of <see cref="FlowSteps.All"/>, with its description and exactly the selection
/// arguments it takes (build.cake passes it those and no others), plus options of a step's own for a person at the command line.
/// </summary>
internal static class StepCommands
{
    /// <summary>The option of each selection argument; a step takes those its <see cref="FlowStep.Arguments"/> name.</summary>
    private static readonly Dictionary<string, Option> Selection = new()
    {
        [SelectionArguments.Model] = ModelNames,
        [SelectionArguments.Run] = RunNumbers,
        [SelectionArguments.Device] = DeviceChoice,
        [SelectionArguments.Locked] = Locked,
        [SelectionArguments.Force] = Force,
    };

    /// <summary>Options of a step's own (Cake passes none of them).</summary>
    private static readonly Dictionary<string, Option[]> Own = new()
    {
        ["filter-spanish"] = [Strict],
        ["aggregate"] = [Partial],
        ["plot"] = [Partial],
        ["report"] = [Partial],
    };

    public static IEnumerable<Command> All() => FlowSteps.All.Select(For);

    private static Command For(FlowStep step)
    {
        var command = new Command(step.Name, step.Description) { ExperimentName, ProjectRoot, CacheFolder, RemoteUrl };
        foreach (var a in step.Arguments) command.Options.Add(Selection[a]);
        foreach (var o in Own.GetValueOrDefault(step.Name, [])) command.Options.Add(o);
        Guarded.Action(command, p =>
        {
            FlowOf(p, remote: true).Run(step.Name);
            return 0;
        });
        return command;
    }
}
