using System.CommandLine;
using Lmev.Flow;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev status`: <see cref="FlowStatus"/> printed, with the Cake command that brings every step up to date.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show each step of the experiment as up to date, stale (and why), never run or in error. " +
            "Exit code 0: everything up to date; 3: steps to run; 4: a step in error") { ExperimentName, ProjectRoot, CacheFolder, ModelNames };
        Guarded.Action(command, p =>
        {
            var flow = FlowOf(p, readOnly: true);
            var experiment = p.GetValue(ExperimentName);
            Console.WriteLine($"experiment {experiment} (cache {flow.Cache.Root})");
            var rows = flow.Status();
            foreach (var s in rows)
            {
                var name = s.Unit == "" ? s.Step : $"{s.Step} [{s.Unit}]";
                Console.WriteLine($"  {name,-44} {s.State}{(s.Key is null ? "" : $" ({s.Key})")}");
                foreach (var r in s.Reasons) Console.WriteLine($"  {"",-44}   {r}");
            }
            var errors = rows.Count(s => s.State == "error");
            var toRun = rows.Where(s => s.State is not ("up to date" or "error")).ToList();
            if (errors > 0) Console.WriteLine($"{errors} unit{(errors == 1 ? "" : "s")} in error: fix what the lines above say");
            if (toRun.Count > 0)
            {
                // Cake runs a target's upstream steps first: the last step with work brings every step up to date.
                var last = FlowSteps.All.Last(step => toRun.Any(s => s.Step == step.Name));
                Console.WriteLine($"{toRun.Count} unit{(toRun.Count == 1 ? "" : "s")} to run: dotnet cake --target={last.Target} --experiment={experiment}");
            }
            if (errors == 0 && toRun.Count == 0) Console.WriteLine("everything is up to date");
            return errors > 0 ? 4 : toRun.Count > 0 ? 3 : 0;
        });
        return command;
    }
}
