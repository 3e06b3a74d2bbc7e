using System.CommandLine;
using Lmev.Flow;
using Lmev.Pipeline;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev gc [--dry-run] [--keep …]`: <see cref="GarbageCollection"/>; exit 1 when an experiment file could not be read.</summary>
internal static class GcCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be removed" };
        var keep = new Option<string[]>("--keep") { Description = "Experiments whose entries to keep (default: every experiment in experiments/)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("gc", "Remove cache entries that no experiment reaches with its current parameters") { dryRun, keep, ProjectRoot, CacheFolder };
        Guarded.Action(command, p =>
        {
            var cache = new StageCache(CacheRootOf(p), readOnly: p.GetValue(dryRun));
            var outcome = GarbageCollection.Run(RootOf(p), cache, p.GetValue(keep) ?? [], p.GetValue(dryRun), name => FlowOf(p, readOnly: true, experimentName: name));
            foreach (var line in outcome.Lines) Console.WriteLine(line);
            foreach (var b in outcome.Broken) Console.Error.WriteLine($"error: {b}");
            return outcome.Broken.Count > 0 ? 1 : 0;
        });
        return command;
    }
}
