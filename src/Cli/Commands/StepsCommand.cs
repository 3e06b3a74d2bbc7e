using System.CommandLine;
using System.Text.Json;
using Lmev.Flow;

namespace Lmev.Cli.Commands;

/// <summary>`lmev steps`: the pipeline's steps in order with the selection arguments each takes; <c>--json</c> is what build.cake reads.</summary>
internal static class StepsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of { name, target, description, arguments } (build.cake reads it to pass each step only its arguments)" };
        var command = new Command("steps", "List the pipeline's steps in flow order, each with its Cake target and the selection arguments it takes") { json };
        Guarded.Action(command, p =>
        {
            if (p.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(FlowSteps.All.Select(s => new { name = s.Name, target = s.Target, description = s.Description, arguments = s.Arguments })));
            else foreach (var s in FlowSteps.All) Console.WriteLine($"{s.Name,-16}{s.Target,-16}{string.Join(" ", s.Arguments)}");
            return 0;
        });
        return command;
    }
}
