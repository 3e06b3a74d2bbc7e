using System.CommandLine;
using System.Text.Json;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev models`: the experiment's models, one per line, or as a JSON array (a CI job matrix).</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of the names (for a CI matrix: fromJSON(...))" };
        var command = new Command("models", "List the experiment's models (the training fan-out's first dimension)") { json, ExperimentName, ProjectRoot };
        Guarded.Action(command, p =>
        {
            var e = Lmev.Flow.Experiment.Load(RootOf(p), p.GetValue(ExperimentName)!);
            if (p.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(e.ModelList.Select(m => m.Name)));
            else foreach (var m in e.ModelList) Console.WriteLine($"{m.Name}\t{m.Kind}\t{e.ModeOf(m)}");
            return 0;
        });
        return command;
    }
}
