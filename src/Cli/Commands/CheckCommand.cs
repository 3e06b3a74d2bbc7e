using System.CommandLine;
using Lmev.Flow;
using Lmev.Pipeline;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev check`: what Cake's Build task runs before any step — the experiment, the lock, --model and --run, and the argument names Cake got.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var cakeArguments = new Option<string[]>("--cake-arguments")
        {
            Description = "The argument names `dotnet cake` was given (Cake's Build task passes them): any that neither build.cake nor Cake reads is a typo, named with the closest one",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("check", "Read the experiment (and data.lock.json) and check --model and --run against it, and Cake's argument names, before any step runs " +
            "(Cake's Build task calls it): every mistake is said at once, with the closest name") { ExperimentName, ProjectRoot, CacheFolder, ModelNames, RunNumbers, cakeArguments };
        Guarded.Action(command, p =>
        {
            if (SelectionArguments.UnknownCakeArguments(p.GetValue(cakeArguments) ?? []) is { } typo) throw new LmevException(typo);
            var flow = FlowOf(p, readOnly: true);
            flow.CheckSelection();
            var e = flow.Experiment;
            DataLock.Read(Path.Combine(RootOf(p), DataLock.FileName));
            Console.WriteLine($"experiment {e.Name}: {e.ModelList.Count} model{(e.ModelList.Count == 1 ? "" : "s")}, {e.Runs} run{(e.Runs == 1 ? "" : "s")} each" +
                $"{(e.Resample ? ", each on its own sample" : "")}; the choices are valid");
            return 0;
        });
        return command;
    }
}
