using System.CommandLine;
using Lmev.Flow;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev status`: <see cref="FlowStatus"/> printed, with the Cake command that brings every step up to date.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show each step of the experiment as up to date (local), remote only (in the project's remote, not here), " +
            "stale (and why) or never run (to compute), or in error; with a remote, only its manifests are read. " +
            "Exit code 0: everything up to date; 3: steps to run or to fetch; 4: a step in error") { ExperimentName, ProjectRoot, CacheFolder, ModelNames, RemoteUrl };
        Guarded.Action(command, p =>
        {
            var flow = FlowOf(p, readOnly: true, remote: true);
            var experiment = p.GetValue(ExperimentName);
            Console.WriteLine($"experiment {experiment} (cache {flow.Cache.Root}{(flow.Remote is { } remote ? $", remote {remote.Tier.Url}" : "")})");
            var rows = flow.Status();
            foreach (var s in rows)
            {
                var name = s.Unit == "" ? s.Step : $"{s.Step} [{s.Unit}]";
                Console.WriteLine($"  {name,-44} {s.State}{(s.Key is null ? "" : $" ({s.Key})")}");
                foreach (var r in s.Reasons) Console.WriteLine($"  {"",-44}   {r}");
            }
            var errors = rows.Count(s => s.State == "error");
            var remoteOnly = rows.Count(s => s.State == FlowStatus.RemoteOnly);
            var toRun = rows.Where(s => s.State is not (FlowStatus.UpToDate or FlowStatus.RemoteOnly or "error")).ToList();
            if (errors > 0) Console.WriteLine($"{errors} unit{(errors == 1 ? "" : "s")} in error: fix what the lines above say");
            if (remoteOnly > 0)
                Console.WriteLine($"{remoteOnly} unit{(remoteOnly == 1 ? "" : "s")} in the remote only: a run fetches {(remoteOnly == 1 ? "it" : "them")} (verified) " +
                    $"instead of computing, or `lmev cache pull --experiment {experiment}` now");
            if (toRun.Count > 0)
            {
                // Cake runs a target's upstream steps first: the last step with work brings every step up to date.
                var last = FlowSteps.All.Last(step => toRun.Any(s => s.Step == step.Name));
                Console.WriteLine($"{toRun.Count} unit{(toRun.Count == 1 ? "" : "s")} to run: dotnet cake --target={last.Target} --experiment={experiment}");
            }
            if (errors == 0 && toRun.Count == 0 && remoteOnly == 0) Console.WriteLine("everything is up to date");
            return errors > 0 ? 4 : toRun.Count + remoteOnly > 0 ? 3 : 0;
        });
        return command;
    }
}
