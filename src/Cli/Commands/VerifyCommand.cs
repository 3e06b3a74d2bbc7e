using System.CommandLine;
using Lmev.Flow;
using Lmev.Pipeline;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev verify [--all] [--repair]`: <see cref="CacheCheck"/> on the experiment's entries and folders, or on everything.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Every entry in the cache and every published folder (default: the entries the experiment reaches and its published folders)" };
        var repair = new Option<bool>("--repair") { Description = "Remove the damaged entries, so the next run recomputes exactly those and what depends on them; publish damaged folders again from their entries" };
        var command = new Command("verify", "Re-hash cache entries against their manifests, and saved_models/ and report/ against the entries they were published from, " +
            "and list the damaged ones. Exit code 0: all intact (or repaired); 5: damage found and left") { ExperimentName, ProjectRoot, CacheFolder, all, repair };
        Guarded.Action(command, p =>
        {
            var cache = new StageCache(CacheRootOf(p), readOnly: !p.GetValue(repair));
            var outcome = CacheCheck.Run(RootOf(p), cache, p.GetValue(all) ? null : FlowOf(p, readOnly: true), p.GetValue(repair), Console.WriteLine);
            Console.WriteLine(outcome.Summary);
            return outcome.Unrepaired > 0 ? 5 : 0;
        });
        return command;
    }
}
