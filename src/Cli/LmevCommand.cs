using Lmev.Flow;
using System.CommandLine;
using Lmev.Pipeline;

namespace Lmev.Cli;

/// <summary>
/// The `lmev` program: one subcommand per pipeline step (what each Cake task runs), plus `status`
/// and `gc`. A thin shell: it parses options, builds the experiment's flow and prints errors.
/// </summary>
public static class LmevCommand
{
    private static readonly Option<string> Experiment = new("--experiment", "-e")
    {
        Description = "Experiment to run: the name of a file in experiments/ (without .json)",
        DefaultValueFactory = _ => "demo",
    };

    private static readonly Option<DirectoryInfo> Root = new("--root")
    {
        Description = "Project folder holding data.lock.json and experiments/",
        DefaultValueFactory = _ => new DirectoryInfo(Directory.GetCurrentDirectory()),
    };

    private static readonly Option<DirectoryInfo?> Cache = new("--cache")
    {
        Description = "Stage cache folder (default: <root>/cache, or $LMEV_CACHE)",
    };

    private static readonly Option<string[]> Models = new("--model", "-m")
    {
        Description = "Only these models (repeatable; for a CI matrix slice); default: every model of the experiment",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<int[]> Runs = new("--run", "-r")
    {
        Description = "Only these run numbers (repeatable): Train's runs, and with runs.resample each run's Sample, Split and Embed; default: 1..runs",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string?> Device = new("--device")
    {
        Description = "Train on: auto (CUDA when the build has it and a device answers, else the CPU), cpu, or cuda (an error without one); " +
                      "default: the experiment's train.device, else auto. Recorded, never part of a cache key",
    };

    private static readonly Option<bool> Force = new("--force") { Description = "Run the step even if its cache entry exists" };
    private static readonly Option<bool> Locked = new("--locked") { Description = "Refuse any change to data.lock.json (CI): an empty or different sha256 is an error" };
    private static readonly Option<bool> Partial = new("--partial") { Description = "Aggregate, plot or report the runs trained so far even when none is (by default these steps wait for at least one trained run)" };
    private static readonly Option<bool> Strict = new("--strict") { Description = "Stop at the first bad input row, naming file:line and the reason, instead of skipping and counting it" };

    public static RootCommand Build()
    {
        var root = new RootCommand(
            "lmev: re-runs the study 'Evaluación de Modelos de Lenguaje en Español para Tareas de Clasificación Multiclase' " +
            "as a cached pipeline. Each step reads its upstream step's cached output; `dotnet cake --target=<Step>` runs them in order. " +
            "Exit codes: 0 done; 1 an error (the message says what and where); 3 (status) steps to run; 4 (status) a step in error; " +
            "5 (verify) damaged entries found; 6 an I/O failure (disk full, read-only, permission denied, a file gone: the step, path and " +
            "OS error are named, nothing is published); 70 an unexpected internal error (one line; the full trace is in the log file it names).");
        foreach (var step in FlowSteps.All) AddStep(root, step);

        root.Subcommands.Add(ModelsCommand());
        root.Subcommands.Add(StepsCommand());
        root.Subcommands.Add(CacheCommand());
        root.Subcommands.Add(DemoDataCommand());
        root.Subcommands.Add(InspectModelCommand());

        var cakeArguments = new Option<string[]>("--cake-arguments")
        {
            Description = "The argument names `dotnet cake` was given (Cake's Build task passes them): any that neither build.cake nor Cake reads is a typo, named with the closest one",
            AllowMultipleArgumentsPerToken = true,
        };
        var check = new Command("check", "Read the experiment (and data.lock.json) and check --model and --run against it, and Cake's argument names, before any step runs " +
            "(Cake's Build task calls it): every mistake is said at once, with the closest name") { Experiment, Root, Cache, Models, Runs, cakeArguments };
        check.SetAction(p => Guard(() =>
        {
            if (SelectionArguments.UnknownCakeArguments(p.GetValue(cakeArguments) ?? []) is { } typo) throw new LmevException(typo);
            var flow = Flow(p, readOnly: true);
            flow.CheckSelection();
            var e = flow.Experiment;
            DataLock.Read(Path.Combine(p.GetValue(Root)!.FullName, DataLock.FileName));
            Console.WriteLine($"experiment {e.Name}: {e.ModelList.Count} model{(e.ModelList.Count == 1 ? "" : "s")}, {e.Runs} run{(e.Runs == 1 ? "" : "s")} each" +
                $"{(e.Resample ? ", each on its own sample" : "")}; the choices are valid");
            return 0;
        }));
        root.Subcommands.Add(check);

        var source = new Argument<string>("source") { Description = "The entry of data.lock.json whose file on disk changed on purpose" };
        var accept = new Command("accept", "Pin the new bytes of a source on disk: write its current SHA-256 and size into data.lock.json " +
            "(the next run takes them and recomputes what follows); commit the lock afterwards") { source, Root };
        accept.SetAction(p => Guard(() =>
        {
            var (was, now) = Lmev.Pipeline.Fetching.LockAcceptance.Accept(p.GetValue(Root)!.FullName, p.GetValue(source)!);
            Console.WriteLine($"{DataLock.FileName}: '{p.GetValue(source)}' now pins sha256 {now.Sha256} ({now.Size:N0} bytes; was " +
                $"{(was.Sha256.Length == 0 ? "empty" : was.Sha256)}) — commit {DataLock.FileName}");
            return 0;
        }));
        root.Subcommands.Add(new Command("lock", "Change data.lock.json on purpose") { accept });
        root.Subcommands.Add(VerifyCommand());

        var status = new Command("status", "Show each step of the experiment as up to date, stale (and why), never run or in error. " +
            "Exit code 0: everything up to date; 3: steps to run; 4: a step in error") { Experiment, Root, Cache, Models };
        status.SetAction(p => Guard(() => ShowStatus(p)));
        root.Subcommands.Add(status);

        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be removed" };
        var experiments = new Option<string[]>("--keep") { Description = "Experiments whose entries to keep (default: every experiment in experiments/)", AllowMultipleArgumentsPerToken = true };
        var gc = new Command("gc", "Remove cache entries that no experiment reaches with its current parameters") { dryRun, experiments, Root, Cache };
        gc.SetAction(p => Guard(() => CollectGarbage(p, p.GetValue(experiments), p.GetValue(dryRun))));
        root.Subcommands.Add(gc);
        return root;
    }

    /// <summary>
    /// `lmev verify`: re-hash cache entries against their manifests, like `git fsck`, and the published folders
    /// (saved_models/, report/) against the entries they came from; --repair removes the damaged entries and
    /// publishes the damaged folders again from their entries where those are intact.
    /// </summary>
    private static Command VerifyCommand()
    {
        var all = new Option<bool>("--all") { Description = "Every entry in the cache and every published folder (default: the entries the experiment reaches and its published folders)" };
        var repair = new Option<bool>("--repair") { Description = "Remove the damaged entries, so the next run recomputes exactly those and what depends on them; publish damaged folders again from their entries" };
        var command = new Command("verify", "Re-hash cache entries against their manifests, and saved_models/ and report/ against the entries they were published from, " +
            "and list the damaged ones. Exit code 0: all intact (or repaired); 5: damage found and left") { Experiment, Root, Cache, all, repair };
        command.SetAction(p => Guard(() =>
        {
            var root = p.GetValue(Root)!.FullName;
            var cache = new StageCache(CacheRoot(p, root), readOnly: !p.GetValue(repair));
            var entries = p.GetValue(all)
                ? cache.Entries().ToList()
                : Flow(p, readOnly: true).Reachable().Distinct().Select(r => (r.Stage, r.Key, Directory: cache.EntryDirectory(r.Stage, r.Key))).Where(e => Directory.Exists(e.Directory)).ToList();
            var folders = ExperimentFlow.PublishedFolders(root, p.GetValue(all) ? null : p.GetValue(Experiment)).ToList();
            // The entries the folders came from are checked too (an older one the experiment no longer reaches, too).
            var known = entries.Select(e => (e.Stage, e.Key)).ToHashSet();
            foreach (var source in folders.SelectMany(f => (IEnumerable<PublishedFolder.Source>?)PublishedFolder.ReadRecord(f.Folder)?.Files.Values ?? []))
                if (known.Add((source.Stage, source.Key)) && Directory.Exists(cache.EntryDirectory(source.Stage, source.Key)))
                    entries.Add((source.Stage, source.Key, cache.EntryDirectory(source.Stage, source.Key)));
            var damaged = entries.Select(e => CacheVerification.Verify(e.Stage, e.Key, e.Directory)).OfType<DamagedEntry>().ToList();
            var broken = damaged.Select(d => (d.Stage, d.Key)).ToHashSet();
            bool Intact(string stage, string key) => !broken.Contains((stage, key));
            var damagedFolders = folders.Select(f => (f.Republish, Damage: PublishedFolder.Verify(f.Folder, cache, Intact))).Where(f => f.Damage is not null).ToList();
            foreach (var d in damaged)
            {
                Console.WriteLine($"damaged {d.Stage}/{d.Key} ({d.Directory}):");
                foreach (var problem in d.Problems) Console.WriteLine($"  {problem}");
                if (p.GetValue(repair)) { CacheVerification.Remove(cache, d); Console.WriteLine("  removed: the next run recomputes it"); }
            }
            var left = 0;
            foreach (var (republish, d) in damagedFolders)
            {
                var from = d!.Record is { } r ? $" (published from {string.Join(", ", r.Files.Values.Select(s => $"{s.Stage}/{s.Key}").Distinct())})" : "";
                Console.WriteLine($"damaged published folder {d.Folder}{from}:");
                foreach (var problem in d.Problems) Console.WriteLine($"  {problem}");
                if (!p.GetValue(repair)) continue;
                if (PublishedFolder.Repair(d, cache, Intact) is { } why)
                {
                    left++;
                    Console.WriteLine($"  left as is: {why}; run `{republish}` to rebuild it and publish it again");
                }
                else Console.WriteLine("  published again from its entries");
            }
            var repaired = p.GetValue(repair) ? damagedFolders.Count - left : 0;
            Console.WriteLine($"{entries.Count} entries checked, {damaged.Count} damaged{(damaged.Count > 0 && p.GetValue(repair) ? ", removed" : "")}; " +
                $"{folders.Count} published folder{(folders.Count == 1 ? "" : "s")} checked, {damagedFolders.Count} damaged" +
                (p.GetValue(repair) && damagedFolders.Count > 0 ? $", {repaired} published again, {left} left" : ""));
            var unrepaired = p.GetValue(repair) ? left : damaged.Count + damagedFolders.Count;
            return unrepaired > 0 ? 5 : 0;
        }));
        return command;
    }

    /// <summary>`lmev steps`: the pipeline's steps in order with the selection arguments each takes; <c>--json</c> is what build.cake reads.</summary>
    private static Command StepsCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of { name, target, description, arguments } (build.cake reads it to pass each step only its arguments)" };
        var command = new Command("steps", "List the pipeline's steps in flow order, each with its Cake target and the selection arguments it takes") { json };
        command.SetAction(p => Guard(() =>
        {
            if (p.GetValue(json))
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(FlowSteps.All.Select(s => new { name = s.Name, target = s.Target, description = s.Description, arguments = s.Arguments })));
            else foreach (var s in FlowSteps.All) Console.WriteLine($"{s.Name,-16}{s.Target,-16}{string.Join(" ", s.Arguments)}");
            return 0;
        }));
        return command;
    }

    /// <summary>`lmev models`: the experiment's models, one per line, or as a JSON array (a CI job matrix).</summary>
    private static Command ModelsCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of the names (for a CI matrix: fromJSON(...))" };
        var command = new Command("models", "List the experiment's models (the training fan-out's first dimension)") { json, Experiment, Root };
        command.SetAction(p => Guard(() =>
        {
            var e = Lmev.Flow.Experiment.Load(p.GetValue(Root)!.FullName, p.GetValue(Experiment)!);
            if (p.GetValue(json)) Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(e.ModelList.Select(m => m.Name)));
            else foreach (var m in e.ModelList) Console.WriteLine($"{m.Name}\t{m.Kind}\t{e.ModeOf(m)}");
            return 0;
        }));
        return command;
    }

    /// <summary>`lmev cache export|import`: carry verified cache entries between machines (CI jobs).</summary>
    private static Command CacheCommand()
    {
        static string[] List(string[]? values) => (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        var steps = new Option<string[]>("--steps") { Description = "Steps whose entries to export whole (comma-separated or repeated), e.g. split,model", AllowMultipleArgumentsPerToken = true };
        var manifestsOnly = new Option<string[]>("--manifests-only")
        {
            Description = "Steps whose entries to export as their manifests alone: what a later job needs to compute keys downstream, not the data",
            AllowMultipleArgumentsPerToken = true,
        };
        var omit = new Option<string[]>("--omit") { Description = "Outputs to leave behind by name (e.g. model.dat: weights no later step reads); recorded, so import knows", AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The tar file to write", Required = true };
        var export = new Command("export", "Pack the experiment's cache entries of the given steps (the units chosen by --model/--run) with their manifests into a tar")
            { steps, manifestsOnly, omit, Experiment, Root, Cache, Models, Runs, output };
        export.SetAction(p => Guard(() =>
        {
            var flow = Flow(p, readOnly: true);
            var selected = flow.ExportSelections(List(p.GetValue(steps)).Select(s => FlowSteps.Get(s).Name), List(p.GetValue(manifestsOnly)).Select(s => FlowSteps.Get(s).Name),
                List(p.GetValue(omit)).ToHashSet(StringComparer.Ordinal));
            if (selected.Count == 0) throw new LmevException("nothing to export: name steps with --steps or --manifests-only");
            var path = p.GetValue(output)!.FullName;
            var (entries, files, bytes) = Lmev.Pipeline.Transfer.CacheExport.Write(path, selected);
            Console.WriteLine($"exported {entries} entries ({files} files, {bytes / 1048576.0:F1} MiB) to {path}");
            return 0;
        }));
        var archives = new Argument<FileInfo[]>("archives") { Description = "Exports made by `lmev cache export`", Arity = ArgumentArity.OneOrMore };
        var import = new Command("import", "Unpack exports into the cache, checking every file's SHA-256 and every manifest's key; entries already present are left as is")
            { archives, Root, Cache };
        import.SetAction(p => Guard(() =>
        {
            var root = p.GetValue(Root)!.FullName;
            var cache = new StageCache(CacheRoot(p, root));
            var outcome = new Lmev.Pipeline.Transfer.CacheImport(cache, Console.WriteLine).Import(p.GetValue(archives)!.Select(a => a.FullName).ToList());
            Console.WriteLine($"imported {outcome.Published} entries, {outcome.AlreadyPresent} already present ({outcome.Files} files, {outcome.Bytes / 1048576.0:F1} MiB read) into {cache.Root}");
            return 0;
        }));
        return new Command("cache", "Move cache entries between machines: export some, import them elsewhere, verified") { export, import };
    }

    /// <summary>`lmev demo-data`: writes generated MeLi-shaped titles to a file, for benchmarks and trying other tools.</summary>
    private static Command DemoDataCommand()
    {
        var rows = new Option<long>("--rows") { Description = "Rows to generate", DefaultValueFactory = _ => 60_000 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 2019 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "File to write (gzip-compressed when it ends in .gz)", Required = true };
        var command = new Command("demo-data", "Write generated MercadoLibre-shaped titles (title,label_quality,language,category) to a file") { rows, seed, output };
        command.SetAction(p => Guard(() =>
        {
            var path = p.GetValue(output)!.FullName;
            if (p.GetValue(rows) < 1) throw new LmevException($"--rows: expected a positive number of rows, found {p.GetValue(rows)}");
            if (Directory.Exists(path)) throw new LmevException($"{path}: is a folder; give the file to write, e.g. {Path.Combine(path, "titles.csv.gz")}");
            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder)) throw new LmevException($"{path}: the folder {folder} does not exist; create it first or write elsewhere");
            var demo = new Lmev.Stages.Download.DemoDataParams(Rows: p.GetValue(rows), Seed: p.GetValue(seed));
            AtomicFile.Write(path, file =>
            {
                using var stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                    ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true) : null;
                using var progress = new ProgressBar("demo-data", demo.Rows, "rows");
                Lmev.Stages.Download.DemoTitles.Write(demo, stream ?? file, progress.Report);
            });
            Console.WriteLine($"wrote {demo.Rows:N0} rows to {path}");
            return 0;
        }));
        return command;
    }

    /// <summary>`lmev inspect-model PATH`: what a TF-Hub model holds and what the NNLM import would take from it.</summary>
    private static Command InspectModelCommand()
    {
        var path = new Argument<string>("path") { Description = "A TF-Hub model: the .tar.gz that ?tf-hub-format=compressed downloads, or its extracted folder" };
        var tensor = new Option<string?>("--tensor") { Description = "The embedding table's checkpoint key, when finding it by shape is ambiguous (an experiment's \"tensor\")" };
        var command = new Command("inspect-model",
            "List every tensor of a TF-Hub model's checkpoint (dtype, shape, bytes, CRC32C), its vocabulary, and the table and OOV buckets " +
            "the NNLM import would take. Exit code 0: every tensor is intact; 1: a CRC failed or the model cannot be read.") { path, tensor };
        command.SetAction(p => Guard(() => Lmev.Models.TensorFlow.ModelInspection.Write(p.GetValue(path)!, Console.Out, p.GetValue(tensor))));
        return command;
    }

    /// <summary>The option of each selection argument; a step takes those its <see cref="FlowStep.Arguments"/> name.</summary>
    private static readonly Dictionary<string, Option> Selection = new()
    {
        [SelectionArguments.Model] = Models,
        [SelectionArguments.Run] = Runs,
        [SelectionArguments.Device] = Device,
        [SelectionArguments.Locked] = Locked,
        [SelectionArguments.Force] = Force,
    };

    /// <summary>Options of a step's own, for a person at the command line (Cake passes none of them).</summary>
    private static readonly Dictionary<string, Option[]> StepOptions = new()
    {
        ["filter-spanish"] = [Strict],
        ["aggregate"] = [Partial],
        ["plot"] = [Partial],
        ["report"] = [Partial],
    };

    /// <summary>
    /// `lmev &lt;step&gt;`: one subcommand per entry of <see cref="FlowSteps.All"/>, with its description and exactly the selection
    /// arguments it takes (build.cake passes it those and no others).
    /// </summary>
    private static void AddStep(RootCommand root, FlowStep step)
    {
        var command = new Command(step.Name, step.Description) { Experiment, Root, Cache };
        foreach (var a in step.Arguments) command.Options.Add(Selection[a]);
        foreach (var o in StepOptions.GetValueOrDefault(step.Name, [])) command.Options.Add(o);
        command.SetAction(p => Guard(() =>
        {
            var flow = Flow(p);
            flow.Run(step.Name);
            return 0;
        }));
        root.Subcommands.Add(command);
    }

    /// <summary>
    /// The experiment's flow as the options say. <paramref name="readOnly"/> for a command that only looks (check, status, verify,
    /// gc, cache export): it writes no lock, ref or hash index, and starts no process.
    /// </summary>
    private static ExperimentFlow Flow(ParseResult p, bool readOnly = false, string? experimentName = null)
    {
        var root = p.GetValue(Root)!.FullName;
        var cache = CacheRoot(p, root);
        var experiment = Lmev.Flow.Experiment.Load(root, experimentName ?? p.GetValue(Experiment)!);
        var options = new FlowOptions(root, cache, Console.WriteLine,
            Force: p.GetValue(Force), Locked: p.GetValue(Locked), Strict: p.GetValue(Strict), Models: p.GetValue(Models), Runs: p.GetValue(Runs),
            Device: p.GetValue(Device), Partial: p.GetValue(Partial), ReadOnly: readOnly);
        return new ExperimentFlow(experiment, options);
    }

    private static string CacheRoot(ParseResult p, string root) => _cacheForLogs = p.GetValue(Cache)?.FullName
        ?? (Environment.GetEnvironmentVariable("LMEV_CACHE") is { Length: > 0 } env ? Path.GetFullPath(env) : Path.Combine(root, "cache"));

    private static int ShowStatus(ParseResult p)
    {
        var flow = Flow(p, readOnly: true);
        var experiment = p.GetValue(Experiment);
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
    }

    /// <summary>
    /// `lmev gc`: keeps what each experiment reaches with its current parameters. An experiment file that cannot be read is
    /// said (every one, not only the first) and its last-used entries (its refs) are kept, since what it reaches is unknown;
    /// gc then exits 1. Refs of experiments whose file is gone and lock files of finished downloads are removed too.
    /// </summary>
    private static int CollectGarbage(ParseResult p, string[]? keep, bool dryRun)
    {
        var root = p.GetValue(Root)!.FullName;
        var folder = Path.Combine(root, "experiments");
        var existing = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray()
            : [];
        var names = keep is { Length: > 0 } ? keep : existing;
        var cache = new StageCache(CacheRoot(p, root), readOnly: dryRun);
        var reachable = new HashSet<(string, string)>();
        var broken = new List<string>();
        foreach (var name in names)
        {
            try { reachable.UnionWith(Flow(p, readOnly: true, experimentName: name).Reachable()); }
            catch (LmevException e)
            {
                // What a broken experiment reaches is unknown: keep the entries it last used.
                var refs = Lmev.Flow.Experiment.IsValidName(name) ? cache.Refs(name).Select(r => (r.Stage, r.Key)).ToList() : [];
                reachable.UnionWith(refs);
                broken.Add($"{e.Message} (kept the {refs.Count} entries experiment '{name}' last used)");
            }
        }
        var outcome = cache.Gc(reachable, dryRun);
        var verb = dryRun ? "would remove" : "removed";
        foreach (var (stage, key, bytes) in outcome.Removed)
            Console.WriteLine($"{verb} {stage}/{key} ({bytes / 1048576.0:F1} MiB)");
        var debris = cache.Debris(existing.Concat(names).ToHashSet(StringComparer.Ordinal), dryRun);
        foreach (var (path, _, what) in debris)
            Console.WriteLine($"{verb} {Path.GetRelativePath(cache.Root, path)} ({what})");
        var bytesFreed = outcome.Removed.Sum(r => r.Bytes) + debris.Sum(d => d.Bytes);
        Console.WriteLine($"{outcome.Removed.Count} entries {(dryRun ? "would be " : "")}removed ({bytesFreed / 1048576.0:F1} MiB with {debris.Count} other leftover{(debris.Count == 1 ? "" : "s")}); " +
            $"kept {outcome.Kept} entries reachable from {(names.Length == 0 ? "no experiment" : string.Join(", ", names))}");
        foreach (var b in broken) Console.Error.WriteLine($"error: {b}");
        return broken.Count > 0 ? 1 : 0;
    }

    /// <summary>Exit codes besides 0, 1 and the status/verify ones: a step stopped by the disk or the OS, and a bug in lmev.</summary>
    public const int IoFailureExit = 6, InternalErrorExit = 70;

    /// <summary>The cache the command uses, once known: where an unexpected error's trace is written.</summary>
    private static string? _cacheForLogs;

    /// <summary>
    /// Every error ends as one line, without a stack trace: an <see cref="LmevException"/> exits 1; an I/O failure (a full or
    /// read-only disk, permission denied, a file gone) exits 6; anything else is a bug: exit 70, and its full trace goes to a log
    /// file the line names.
    /// </summary>
    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IoFailure.Classify(e) is { } failure)
        {
            Console.Error.WriteLine($"error: {failure.Describe()}");
            return IoFailureExit;
        }
        catch (LmevException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            var (log, why) = CrashLog.Write(e, _cacheForLogs);
            var firstLine = e.Message.Split('\n', 2)[0].Trim();
            Console.Error.WriteLine($"error: unexpected {e.GetType().FullName}: {firstLine} — " +
                (log is not null ? $"full trace in {log} (a bug in lmev: please report it with that file)" : $"no log could be written ({why}); the trace follows"));
            if (log is null) Console.Error.WriteLine(e);
            return InternalErrorExit;
        }
    }
}
