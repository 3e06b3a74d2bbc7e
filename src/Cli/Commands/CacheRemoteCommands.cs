using System.CommandLine;
using System.Diagnostics;
using Lmev.Flow;
using Lmev.Pipeline;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev cache push|pull`: the project's remote (README, "The remote cache"), filled and read without running anything.</summary>
internal static class CacheRemoteCommands
{
    public static Command Push()
    {
        var steps = new Option<string[]>("--steps") { Description = "Steps whose entries to push whole (comma-separated or repeated); default: every unit in the local cache", AllowMultipleArgumentsPerToken = true };
        var manifestsOnly = new Option<string[]>("--manifests-only")
        {
            Description = "Steps whose entries to push as their manifests alone: their keys, for the steps downstream, not their data",
            AllowMultipleArgumentsPerToken = true,
        };
        var omit = new Option<string[]>("--omit") { Description = "Outputs to leave behind by name (e.g. model.dat); recorded in the remote entry, so a pull knows", AllowMultipleArgumentsPerToken = true };
        var command = new Command("push", "Send the experiment's cache entries (the units chosen by --model/--run) to the remote: files first, the manifest last, " +
            "so that an entry is visible only whole; an entry the remote holds is left as is")
            { steps, manifestsOnly, omit, ExperimentName, ProjectRoot, CacheFolder, ModelNames, RunNumbers, RemoteUrl };
        Guarded.Action(command, p =>
        {
            var remote = RemoteOf(p) ?? throw NoRemote();
            var flow = FlowOf(p, readOnly: true);
            var named = CacheCommand.List(p.GetValue(steps)).Select(s => FlowSteps.Get(s).Name).ToList();
            var onlyManifests = CacheCommand.List(p.GetValue(manifestsOnly)).Select(s => FlowSteps.Get(s).Name).ToList();
            var notLocal = new List<string>();
            var everything = named.Count == 0 && onlyManifests.Count == 0;
            var selected = flow.ExportSelections(everything ? FlowSteps.All.Select(s => s.Name) : named, onlyManifests,
                CacheCommand.List(p.GetValue(omit)).ToHashSet(StringComparer.Ordinal), everything ? notLocal.Add : null);
            var clock = Stopwatch.StartNew();
            var done = FlowRemote.PushEntries(flow, remote.Tier, selected, notLocal);
            Console.WriteLine($"pushed {done.Pushed} entries ({done.Files} objects, {FlowRemote.Size(done.Bytes)}) to {remote.Tier.Url} in {clock.Elapsed.TotalSeconds:F1} s; " +
                $"{done.AlreadyThere} already there" + (notLocal.Count == 0 ? "" : $"; not in the local cache, so not pushed: {string.Join(", ", notLocal)}"));
            return 0;
        });
        return command;
    }

    public static Command Pull()
    {
        var steps = new Option<string[]>("--steps") { Description = "Steps whose units to fetch (comma-separated or repeated), with the upstream entries their keys need; default: every step", AllowMultipleArgumentsPerToken = true };
        var command = new Command("pull", "Fetch the experiment's units (chosen by --steps, --model, --run) that are not in the local cache from the remote, every file " +
            "verified against its manifest before it is published; runs nothing")
            { steps, ExperimentName, ProjectRoot, CacheFolder, ModelNames, RunNumbers, RemoteUrl };
        Guarded.Action(command, p =>
        {
            var flow = FlowOf(p, remote: true);
            if (flow.Remote is not { } remote) throw NoRemote();
            var clock = Stopwatch.StartNew();
            var done = FlowRemote.PullUnits(flow, CacheCommand.List(p.GetValue(steps)).Select(s => FlowSteps.Get(s).Name));
            Console.WriteLine($"pulled {done.Pulled} entries ({done.Files} files, {FlowRemote.Size(done.Bytes)}) from {remote.Tier.Url} in {clock.Elapsed.TotalSeconds:F1} s; " +
                $"{done.Local} already local" + (done.NotInRemote.Count == 0 ? "" : $"; not in the remote (a run computes them): {string.Join(", ", done.NotInRemote)}"));
            return 0;
        });
        return command;
    }

    private static LmevException NoRemote() =>
        new("no remote: give --remote URL, set $LMEV_REMOTE, or put { \"remote\": { \"url\": … } } in lmev.json (README, \"The remote cache\")");
}
