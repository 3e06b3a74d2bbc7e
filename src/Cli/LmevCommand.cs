using System.CommandLine;
using Lmev.Cli.Commands;

namespace Lmev.Cli;

/// <summary>
/// The `lmev` program: one subcommand per pipeline step (what each Cake task runs), and the commands around them, each in a file
/// of its own under Commands/. A thin shell: a command parses its options, calls the engine and prints; every error ends as one
/// line (<see cref="Guarded"/>).
/// </summary>
public static class LmevCommand
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "lmev: re-runs the study 'Evaluación de Modelos de Lenguaje en Español para Tareas de Clasificación Multiclase' " +
            "as a cached pipeline. Each step reads its upstream step's cached output; `dotnet cake --target=<Step>` runs them in order. " +
            "Exit codes: 0 done; 1 an error (the message says what and where); 3 (status) steps to run; 4 (status) a step in error; " +
            "5 (verify) damaged entries found; 6 an I/O failure (disk full, read-only, permission denied, a file gone: the step, path and " +
            "OS error are named, nothing is published); 70 an unexpected internal error (one line; the full trace is in the log file it names).");
        foreach (var step in StepCommands.All()) root.Subcommands.Add(step);
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(StepsCommand.Create());
        root.Subcommands.Add(CacheCommand.Create());
        root.Subcommands.Add(DemoDataCommand.Create());
        root.Subcommands.Add(InspectModelCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(LockCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(GcCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExportOnnxCommand.Create());
        return root;
    }
}
