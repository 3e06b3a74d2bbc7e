using System.CommandLine;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Pipeline.Transfer;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev cache export|import|push|pull`: carry verified cache entries between machines (CI jobs), through tars or the remote.</summary>
internal static class CacheCommand
{
    /// <summary>A repeatable option's values, each of which may be a comma-separated list.</summary>
    internal static string[] List(string[]? values) => (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    public static Command Create()
    {
        var steps = new Option<string[]>("--steps") { Description = "Steps whose entries to export whole (comma-separated or repeated), e.g. split,model", AllowMultipleArgumentsPerToken = true };
        var manifestsOnly = new Option<string[]>("--manifests-only")
        {
            Description = "Steps whose entries to export as their manifests alone: what a later job needs to compute keys downstream, not the data",
            AllowMultipleArgumentsPerToken = true,
        };
        var omit = new Option<string[]>("--omit") { Description = "Outputs to leave behind by name (e.g. model.dat: weights no later step reads); recorded, so import knows", AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The tar file to write", Required = true };
        var export = new Command("export", "Pack the experiment's cache entries of the given steps (the units chosen by --model/--run) with their manifests into a tar")
            { steps, manifestsOnly, omit, ExperimentName, ProjectRoot, CacheFolder, ModelNames, RunNumbers, output };
        Guarded.Action(export, p =>
        {
            var selected = FlowOf(p, readOnly: true).ExportSelections(List(p.GetValue(steps)).Select(s => FlowSteps.Get(s).Name),
                List(p.GetValue(manifestsOnly)).Select(s => FlowSteps.Get(s).Name), List(p.GetValue(omit)).ToHashSet(StringComparer.Ordinal));
            if (selected.Count == 0) throw new LmevException("nothing to export: name steps with --steps or --manifests-only");
            var path = p.GetValue(output)!.FullName;
            var (entries, files, bytes) = CacheExport.Write(path, selected);
            Console.WriteLine($"exported {entries} entries ({files} files, {bytes / 1048576.0:F1} MiB) to {path}");
            return 0;
        });
        var archives = new Argument<FileInfo[]>("archives") { Description = "Exports made by `lmev cache export`", Arity = ArgumentArity.OneOrMore };
        var import = new Command("import", "Unpack exports into the cache, checking every file's SHA-256 and every manifest's key; entries already present are left as is")
            { archives, ProjectRoot, CacheFolder };
        Guarded.Action(import, p =>
        {
            var cache = new StageCache(CacheRootOf(p));
            var outcome = new CacheImport(cache, Console.WriteLine).Import(p.GetValue(archives)!.Select(a => a.FullName).ToList());
            Console.WriteLine($"imported {outcome.Published} entries, {outcome.AlreadyPresent} already present ({outcome.Files} files, {outcome.Bytes / 1048576.0:F1} MiB read) into {cache.Root}");
            return 0;
        });
        return new Command("cache", "Move cache entries between machines: export some, import them elsewhere, or push them to the remote and pull them, verified")
            { export, import, CacheRemoteCommands.Push(), CacheRemoteCommands.Pull() };
    }
}
