using System.Text.Json.Nodes;
using System.Diagnostics;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Pipeline.Results;
using Lmev.Stages.Aggregate;
using Lmev.Stages.Download;
using Lmev.Stages.Plot;
using Lmev.Stages.Report;
using Lmev.Stages.Train;
using Lmev.Stages.Embed;
using Lmev.Stages.FilterSpanish;
using Lmev.Stages.Model;
using Lmev.Stages.Sample;
using Lmev.Stages.Split;

namespace Lmev.Flow;

/// <summary>How the command line wants a flow run.</summary>
/// <param name="Root">The project folder (holds data.lock.json and experiments/).</param>
/// <param name="CacheRoot">The stage cache, normally &lt;root&gt;/cache.</param>
/// <param name="Force">Rerun the named step even when its entry exists.</param>
/// <param name="Locked">Refuse any change to data.lock.json (CI).</param>
/// <param name="Strict">Stop at the first bad input row.</param>
/// <param name="Models">Run only these models' units (a CI matrix slice); empty: all.</param>
/// <param name="Runs">Run only these run numbers of Train; empty: all.</param>
public sealed record FlowOptions(string Root, string CacheRoot, Action<string> Log, bool Force = false, bool Locked = false, bool Strict = false,
    IReadOnlyList<string>? Models = null, IReadOnlyList<int>? Runs = null);

/// <summary>
/// The pipeline's graph for one experiment: which stage follows which, its units (one per model
/// for Model and Embed), and which experiment group and upstream outputs each stage is built from.
/// Stages meet only through cached artifacts: a stage's inputs come from its upstream's manifest,
/// so building a key never re-hashes a file.
/// </summary>
public sealed class ExperimentFlow
{
    /// <summary>A step of the graph: its units for an experiment and how to build each unit's stage.</summary>
    private sealed record Step(string Name, Func<Experiment, IEnumerable<string>> Units, Func<string, IStage> Build);

    /// <summary>Raised while resolving upstream entries when one is not in the cache.</summary>
    private sealed class NotReady(string step, string unit) : Exception($"{step} {unit}")
    {
        public string Step { get; } = step;
        public string Unit { get; } = unit;
    }

    private static readonly Func<Experiment, IEnumerable<string>> Single = _ => [""];
    private static readonly Func<Experiment, IEnumerable<string>> PerModel = e => e.ModelList.Select(m => m.Name);
    private static readonly Func<Experiment, IEnumerable<string>> PerFrozenModel = e => e.ModelList.Where(m => e.ModeOf(m) == ModelSpec.Frozen).Select(m => m.Name);
    private static readonly Func<Experiment, IEnumerable<string>> PerRun = e =>
        e.ModelList.SelectMany(m => Enumerable.Range(1, e.Runs).Select(k => $"{m.Name}/run-{k}"));

    private readonly Experiment _experiment;
    private readonly FlowOptions _options;
    private readonly string _lockPath;
    private readonly IReadOnlyList<Step> _steps;
    private readonly Dictionary<(string, string), Manifest> _resolved = new();

    public ExperimentFlow(Experiment experiment, FlowOptions options)
    {
        _experiment = experiment;
        _options = options;
        _lockPath = Path.Combine(options.Root, DataLock.FileName);
        Cache = new StageCache(options.CacheRoot);
        _steps =
        [
            new("download", Single, _ => BuildDownload()),
            new("filter-spanish", Single, _ => new FilterSpanishStage(experiment.Filter, Get("download").Output(DownloadOutput(Get("download"))), options.Strict)),
            new("sample", Single, _ => new SampleStage(experiment.Sample, Get("filter-spanish").Output(FilterSpanishStage.Output))),
            new("split", Single, _ => new SplitStage(experiment.Split, Get("sample").Output(SampleStage.Output))),
            new("model", PerModel, unit => BuildModel(Model(unit))),
            new("embed", PerFrozenModel, unit => BuildEmbed(Model(unit))),
            new("train", PerRun, BuildTrain),
            new("aggregate", Single, _ => new AggregateStage(new AggregateParams(experiment.Reference), RunInputs())),
            new("plot", Single, _ => new PlotStage(new PlotParams(), Get("aggregate").Output(RunsTable.FileName), RunInputs())),
            new("report", Single, _ => BuildReport()),
        ];
    }

    /// <summary>The step names in flow order.</summary>
    public static IReadOnlyList<string> StepNames { get; } =
        ["download", "filter-spanish", "sample", "split", "model", "embed", "train", "aggregate", "plot", "report"];

    public StageCache Cache { get; }

    private ModelSpec Model(string name) => _experiment.ModelList.First(m => m.Name == name);

    private Step StepOf(string name) => _steps.FirstOrDefault(s => s.Name == name)
        ?? throw new LmevException($"unknown step '{name}'; steps: {string.Join(", ", StepNames)}");

    private IEnumerable<string> Units(Step step)
    {
        var units = step.Units(_experiment).ToList();
        if (step.Units != Single && _options.Models is { Count: > 0 } only)
        {
            var names = _experiment.ModelList.Select(m => m.Name).ToList();
            var unknown = only.Except(names).ToList();
            if (unknown.Count > 0)
                throw new LmevException($"{_experiment.Path}: no model named {string.Join(", ", unknown.Select(u => $"'{u}'"))}; models: {string.Join(", ", names)}");
            units = units.Where(u => only.Contains(u.Split('/')[0])).ToList();
        }
        if (step.Units == PerRun && _options.Runs is { Count: > 0 } runs)
        {
            var bad = runs.Where(r => r < 1 || r > _experiment.Runs).ToList();
            if (bad.Count > 0) throw new LmevException($"--run {string.Join(", ", bad)}: expected run numbers from 1 to {_experiment.Runs} (runs in {_experiment.Path})");
            units = units.Where(u => runs.Contains(RunNumber(u))).ToList();
        }
        return units;
    }

    /// <summary>The published entry of an upstream unit; <see cref="NotReady"/> when it is not in the cache.</summary>
    private Manifest Get(string step, string unit = "")
    {
        if (_resolved.TryGetValue((step, unit), out var m)) return m;
        var stage = StepOf(step).Build(unit);
        m = Cache.Lookup(stage) ?? throw new NotReady(step, unit);
        if (step == "download") CheckLockAgainst(m);
        return _resolved[(step, unit)] = m;
    }

    private static string DownloadOutput(Manifest download) => download.Outputs.Keys.Single(k => k.StartsWith("source.", StringComparison.Ordinal));

    private DownloadStage BuildDownload()
    {
        if (_experiment.Dataset.Generate is { } demo) return DownloadStage.Generate(demo);
        var name = _experiment.Dataset.Source!;
        var source = DataLock.Read(_lockPath).Get(name, _lockPath);
        return DownloadStage.FromLock(name, source, Fetcher(), Path.Combine(Cache.Root, ".downloads"));
    }

    private ModelStage BuildModel(ModelSpec spec)
    {
        if (spec.Kind != ModelSpec.Transformer) return new ModelStage(spec);
        var lockFile = DataLock.Read(_lockPath);
        return new ModelStage(spec, (lockFile.Get(spec.Source!, _lockPath), lockFile.Get(spec.Vocabulary!, _lockPath), Fetcher(), Path.Combine(Cache.Root, ".downloads")));
    }

    private SourceFetcher Fetcher() => new(_options.Root, Cache.Hashes, _options.Log, new FetchOptions(Locked: _options.Locked));

    private EmbedStage BuildEmbed(ModelSpec spec)
    {
        var model = Get("model", spec.Name);
        var split = Get("split");
        var data = model.Outputs.Keys.Where(f => f.StartsWith(ModelStage.OnnxFile + ".", StringComparison.Ordinal)).Select(model.Output).ToList();
        return new EmbedStage(spec.Name, new EmbedParams(spec.Kind, MaxTokens: spec.MaxTokens, L2Normalize: spec.L2Normalize),
            model.Output(ModelStage.OnnxFile), model.Output(ModelStage.VocabularyFile(spec)), data,
            split.Output("train.csv"), split.Output("val.csv"), split.Output("test.csv"));
    }

    private static int RunNumber(string unit) => int.Parse(unit[(unit.LastIndexOf("/run-", StringComparison.Ordinal) + 5)..]);

    private TrainStage BuildTrain(string unit)
    {
        var spec = Model(unit.Split('/')[0]);
        var run = RunNumber(unit);
        var t = _experiment.Train;
        var mode = _experiment.ModeOf(spec);
        var split = Get("split");
        var inputs = new Dictionary<string, Artifact>
        {
            ["classes"] = split.Output("classes.csv"),
            ["train.csv"] = split.Output("train.csv"),
            ["val.csv"] = split.Output("val.csv"),
            ["test.csv"] = split.Output("test.csv"),
        };
        if (mode == ModelSpec.FineTune)
        {
            var model = Get("model", spec.Name);
            inputs["model"] = model.Output(ModelStage.OnnxFile);
            inputs["vocabulary"] = model.Output(ModelStage.VocabularyFile(spec));
            foreach (var data in model.Outputs.Keys.Where(f => f.StartsWith(ModelStage.OnnxFile + ".", StringComparison.Ordinal)))
                inputs[$"model-data:{data}"] = model.Output(data);
        }
        else
        {
            var embed = Get("embed", spec.Name);
            foreach (var s in SplitFiles.Names) inputs[$"{s}.npy"] = embed.Output($"{s}.npy");
        }
        var dim = (int?)Get("model", spec.Name).Report["dim"] ?? spec.Dim;
        // Each run's seed follows from the experiment's seed, the model and the run number, and is recorded.
        var seed = (long)(SeededRandom.For(t.Seed, $"train/{spec.Name}/run-{run}").NextUInt64() >> 1);
        var p = new TrainParams(_experiment.Name, spec.Name, spec.Language, dim, spec.Normalization, mode, run, seed,
            t.Epochs, t.BatchSize, t.Dropout, t.Hidden, t.LearningRate, t.Patience);
        return new TrainStage(p, inputs, t.Threads);
    }

    /// <summary>Every run's metrics.json; a run not in the cache is passed as missing, and the report says so.</summary>
    private List<RunInput> RunInputs() => PerRun(_experiment).Select(unit =>
    {
        Artifact? metrics = null;
        try { metrics = Get("train", unit).Output(RunMetrics.FileName); }
        catch (NotReady) { }
        return new RunInput(unit.Split('/')[0], RunNumber(unit), metrics);
    }).ToList();

    private ReportStage BuildReport()
    {
        var aggregate = Get("aggregate");
        var plot = Get("plot");
        var e = _experiment;
        var dataset = e.Dataset.Source ?? $"datos de demostración generados (semilla {e.Dataset.Generate!.Seed}, {e.Dataset.Generate.Rows:N0} filas)";
        var lockEntries = new SortedDictionary<string, LockedSource>(StringComparer.Ordinal);
        if (e.Dataset.Source is { } source) lockEntries[source] = DataLock.Read(_lockPath).Get(source, _lockPath);
        var p = new ReportParams(e.Name, e.Description, dataset, e.Sample.Rows, e.Split.TestRows, e.Split.ValidationFraction, e.Runs,
            CanonicalJson.ToNode(e.Train)!.AsObject(), lockEntries, GitCommit());
        var figures = PlotStage.Figures.Select(f => plot.Output(f + ".png")).ToList();
        return new ReportStage(p, aggregate.Output(RunSummary.FileName), aggregate.Output(RunsTable.FileName), figures);
    }

    private string GitCommit()
    {
        try
        {
            var info = new ProcessStartInfo("git", ["-C", _options.Root, "rev-parse", "--short=12", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(info)!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown (git not installed)"; }
    }

    /// <summary>
    /// Runs every unit of <paramref name="step"/> (or the models chosen in the options). Its upstream
    /// entries must already be in the cache (Cake runs the steps in order); otherwise the error
    /// names the command to run first.
    /// </summary>
    public IReadOnlyList<Manifest> Run(string step)
    {
        var def = StepOf(step);
        var results = new List<Manifest>();
        foreach (var unit in Units(def))
        {
            IStage stage;
            try { stage = def.Build(unit); }
            catch (NotReady n)
            {
                var what = n.Unit == "" ? $"'{n.Step}'" : $"'{n.Step}' for {n.Unit}";
                throw new LmevException(
                    $"step '{step}' of experiment '{_experiment.Name}' needs the output of {what}, which is not in the cache or is out of date; " +
                    $"run `lmev {n.Step} --experiment {_experiment.Name}` (or `dotnet cake --target={Target(step)} --experiment={_experiment.Name}`) first");
            }
            var force = _options.Force;
            if (step == "download" && !force && Cache.Lookup(stage) is { } cached && !CheckLockAgainst(cached, throwIfChanged: false))
            {
                _options.Log("download: the cached file does not match data.lock.json's sha256; fetching again");
                force = true;
            }
            if (step == "model" && !force && Model(unit) is { Kind: ModelSpec.Transformer } pinned && Cache.Lookup(stage) is { } cachedModel)
            {
                var lockFile = DataLock.Read(_lockPath);
                bool Differs(string name, string file) =>
                    lockFile.Get(name, _lockPath).Sha256 is { Length: > 0 } sha && sha != cachedModel.Outputs[file].Sha256;
                if (Differs(pinned.Source!, Lmev.Models.MiniLmModel.ModelFile) || Differs(pinned.Vocabulary!, Lmev.Models.MiniLmModel.VocabularyFile))
                {
                    _options.Log($"model [{unit}]: the cached files do not match data.lock.json's sha256; fetching again");
                    force = true;
                }
            }
            var manifest = Cache.Run(stage, _experiment.Name, force, _options.Log);
            if (step == "download") CheckLockAgainst(manifest);
            if (step == "model" && Model(unit) is { Kind: ModelSpec.Transformer } t)
            {
                FillLock(t.Source!, manifest.Outputs[Lmev.Models.MiniLmModel.ModelFile]);
                FillLock(t.Vocabulary!, manifest.Outputs[Lmev.Models.MiniLmModel.VocabularyFile]);
            }
            _resolved[(step, unit)] = manifest;
            results.Add(manifest);
        }
        if (results.Count == 0) _options.Log($"{step}: experiment '{_experiment.Name}' has no units for this step (no models?)");
        if (step == "train")
            foreach (var m in results)
                Materialize(m.Outputs.Keys.Select(m.Output), Path.Combine(_options.Root, "saved_models", _experiment.Name, m.Unit));
        if (step == "report")
        {
            var plot = Get("plot");
            var svgs = plot.Outputs.Keys.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)).Select(plot.Output);
            var target = Path.Combine(_options.Root, "report");
            Materialize(results[0].Outputs.Keys.Select(results[0].Output).Concat(svgs), target);
            _options.Log($"report: {Path.Combine(target, ReportStage.Markdown)} and {Path.Combine(target, ReportStage.Html)}");
        }
        return results;
    }

    /// <summary>
    /// Copies cached files to a folder people open (saved_models/…, report/): written beside it, then
    /// swapped in with renames, so the folder is never half old and half new.
    /// </summary>
    private static void Materialize(IEnumerable<Artifact> files, string target)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(target))!;
        Directory.CreateDirectory(parent);
        var fresh = $"{target}.tmp-{Guid.NewGuid():N}";
        var old = $"{target}.old-{Guid.NewGuid():N}";
        Directory.CreateDirectory(fresh);
        try
        {
            foreach (var f in files) File.Copy(f.Path, Path.Combine(fresh, f.File));
            if (Directory.Exists(target)) Directory.Move(target, old);
            Directory.Move(fresh, target);
        }
        finally
        {
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>Compares a download entry with the lock; fills an empty hash (trust on first use) unless locked.</summary>
    private bool CheckLockAgainst(Manifest download, bool throwIfChanged = true)
    {
        if (_experiment.Dataset.Source is not { } name) return true;
        var lockFile = DataLock.Read(_lockPath);
        var locked = lockFile.Get(name, _lockPath);
        var file = download.Outputs[DownloadOutput(download)];
        if (locked.Sha256 == "")
        {
            FillLock(name, file);
            return true;
        }
        if (locked.Sha256 == file.Sha256) return true;
        if (throwIfChanged)
            throw new LmevException($"{_lockPath}: source '{name}' expects sha256 {locked.Sha256} but the cached download has {file.Sha256}; run `lmev download --experiment {_experiment.Name}`");
        return false;
    }

    /// <summary>Trust on first use: an empty sha256 in the lock takes the hash of what was fetched, unless the lock is frozen.</summary>
    private void FillLock(string name, FileRecord file)
    {
        var lockFile = DataLock.Read(_lockPath);
        var locked = lockFile.Get(name, _lockPath);
        if (locked.Sha256 != "") return;
        if (_options.Locked)
            throw new LmevException($"{_lockPath}: source '{name}' has no sha256 and --locked refuses to change the lock; run once without --locked and commit {DataLock.FileName}");
        lockFile.Sources[name] = locked with { Sha256 = file.Sha256, Size = file.Size };
        lockFile.Write(_lockPath);
        _options.Log($"{DataLock.FileName}: '{name}' had no sha256; filled with {file.Sha256} ({file.Size:N0} bytes), trust on first use — commit {DataLock.FileName}");
    }

    /// <summary>The Cake target that runs a step: its name in PascalCase.</summary>
    public static string Target(string step) => string.Concat(step.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    // ---- status and gc ----

    public sealed record StepStatus(string Step, string Unit, string State, string? Key, IReadOnlyList<string> Reasons);

    /// <summary>Each unit of each step as up to date, stale (and why) or never run, like `dvc status`.</summary>
    public IReadOnlyList<StepStatus> Status()
    {
        var result = new List<StepStatus>();
        foreach (var step in _steps)
        foreach (var unit in Units(step))
        {
            var previous = Cache.ReadRef(_experiment.Name, step.Name, unit);
            IStage stage;
            try { stage = step.Build(unit); }
            catch (NotReady n)
            {
                var what = n.Unit == "" ? n.Step : $"{n.Step} [{n.Unit}]";
                result.Add(new StepStatus(step.Name, unit, previous is null ? "never run" : "stale", null, [$"upstream '{what}' is not up to date"]));
                continue;
            }
            catch (LmevException e) { result.Add(new StepStatus(step.Name, unit, "error", null, [e.Message])); continue; }
            var key = StageCache.Key(stage);
            var entry = Cache.Lookup(stage);
            if (entry is not null)
            {
                _resolved[(step.Name, unit)] = entry;
                result.Add(new StepStatus(step.Name, unit, "up to date", key, []));
                continue;
            }
            if (previous is null) { result.Add(new StepStatus(step.Name, unit, "never run", key, [])); continue; }
            var why = new List<string>();
            Diff(previous.Params, CanonicalJson.ToNode(stage.Params), "params", why);
            foreach (var (input, artifact) in stage.Inputs)
                if (!previous.Inputs.TryGetValue(input, out var was) || was.Sha256 != artifact.Sha256)
                    why.Add($"input '{input}' changed ({Short(was?.Sha256)} → {Short(artifact.Sha256)}, from {artifact.Stage} {artifact.Key})");
            if (why.Count == 0) why.Add(!Directory.Exists(Cache.EntryDirectory(step.Name, previous.Key))
                ? $"its entry {previous.Key} was removed (gc?)" : "the stage's version changed");
            result.Add(new StepStatus(step.Name, unit, "stale", key, why));
        }
        return result;
    }

    private static string Short(string? hash) => hash is null ? "none" : hash[..Math.Min(12, hash.Length)];

    private static void Diff(JsonNode? was, JsonNode? now, string path, List<string> into)
    {
        if (was is JsonObject a && now is JsonObject b)
        {
            foreach (var k in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
                Diff(a[k], b[k], $"{path}.{k}", into);
            return;
        }
        if (!JsonNode.DeepEquals(was, now))
            into.Add($"{path} changed: {was?.ToJsonString() ?? "(absent)"} → {now?.ToJsonString() ?? "(absent)"}");
    }

    /// <summary>The entries this experiment reaches with its current parameters (what `gc` keeps).</summary>
    public IEnumerable<(string Stage, string Key)> Reachable()
    {
        foreach (var step in _steps)
        foreach (var unit in step.Units(_experiment))
        {
            IStage stage;
            try { stage = step.Build(unit); }
            catch (NotReady) { continue; }
            catch (LmevException) { continue; }
            yield return (step.Name, StageCache.Key(stage));
        }
    }
}
