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
/// <param name="Runs">Run only these runs' units (Train's, and with runs.resample Sample's, Split's and Embed's); empty: all.</param>
/// <param name="Device">Train's device, over the experiment's <c>train.device</c> (<c>--device</c>): auto, cpu or cuda; null: the experiment's.</param>
/// <param name="CudaProbe">How Train sees CUDA; null: libtorch's (tests fake one).</param>
/// <param name="ReadOnly">The flow only looks (status, verify, gc, check, export): it writes no lock, ref or hash index, and starts no process.</param>
public sealed record FlowOptions(string Root, string CacheRoot, Action<string> Log, bool Force = false, bool Locked = false, bool Strict = false,
    IReadOnlyList<string>? Models = null, IReadOnlyList<int>? Runs = null, string? Device = null, Lmev.Training.CudaProbe? CudaProbe = null,
    bool Partial = false, bool ReadOnly = false);

/// <summary>
/// The pipeline's graph for one experiment: which stage follows which, its units (see
/// <see cref="UnitKind"/>), which experiment group and upstream outputs each stage is built from,
/// and each step's declared side effects (the lock file, the folders people open).
/// Stages meet only through cached artifacts: a stage's inputs come from its upstream's manifest,
/// so building a key never re-hashes a file.
/// </summary>
public sealed class ExperimentFlow
{
    /// <summary>One unit of a step: a model, a run, both, or neither. Its name is the stage's <see cref="IStage.Unit"/>.</summary>
    private sealed record Unit(ModelSpec? Model = null, int? Run = null, bool TestSource = false)
    {
        public static readonly Unit None = new();

        /// <summary>split.testSource's rows, downloaded and filtered beside the dataset's.</summary>
        public static readonly Unit TestRows = new(TestSource: true);

        public string Name => TestSource ? "test-source" : (Model?.Name, Run) switch
        {
            (null, null) => "",
            (null, { } k) => $"run-{k}",
            ({ } m, null) => m,
            ({ } m, { } k) => $"{m}/run-{k}",
        };
    }

    /// <summary>
    /// A step wired to this experiment: how to build a unit's stage, and its side effects, declared
    /// here rather than tested for by name while running.
    /// </summary>
    private sealed record Step(FlowStep Meta, Func<Unit, IStage> Build)
    {
        public string Name => Meta.Name;

        /// <summary>Before a cached unit is reused: why it must run again anyway (its bytes no longer match the lock), or null.</summary>
        public Func<Unit, Manifest, string?>? BeforeRun { get; init; }

        /// <summary>After a unit ran or was found in the cache: check the lock against it, or fill the lock's empty hashes.</summary>
        public Action<Unit, Manifest>? AfterRun { get; init; }

        /// <summary>When a downstream step reads one of this step's entries.</summary>
        public Action<Manifest>? OnRead { get; init; }

        /// <summary>After every unit of the step: copy its files to a folder people open (saved_models/, report/).</summary>
        public Action<IReadOnlyList<Manifest>>? Publish { get; init; }
    }

    /// <summary>Raised while resolving upstream entries when one is not in the cache.</summary>
    private sealed class NotReady(string step, Unit unit) : Exception($"{step} {unit.Name}")
    {
        public string Step { get; } = step;
        public Unit Unit { get; } = unit;
    }

    private readonly Experiment _experiment;

    /// <summary>The experiment this flow runs, as read and checked.</summary>
    public Experiment Experiment => _experiment;
    private readonly FlowOptions _options;
    private readonly string _lockPath;
    private readonly FlowLock _lock;
    private readonly IReadOnlyList<Step> _steps;
    private readonly Dictionary<(string, string), Manifest> _resolved = new();

    /// <summary>The commit the project is checked out at, for the report (read from .git once, with no process).</summary>
    private readonly Lazy<string> _commit;

    public ExperimentFlow(Experiment experiment, FlowOptions options)
    {
        _experiment = experiment;
        _options = options;
        _lockPath = Path.Combine(options.Root, DataLock.FileName);
        _lock = new FlowLock(_lockPath, experiment, options.Locked, options.ReadOnly, options.Log);
        Cache = new StageCache(options.CacheRoot, options.ReadOnly);
        _commit = new(() => GitHead.Short(options.Root));
        _steps = FlowSteps.All.Select(Wire).ToList();
    }

    /// <summary>The one place that maps a step to its stage and its side effects.</summary>
    private Step Wire(FlowStep meta) => meta.Name switch
    {
        "download" => new(meta, BuildDownload)
        {
            BeforeRun = (u, cached) => LocalSourceEdited(u, cached) ?? _lock.DownloadMismatch(cached),
            AfterRun = (_, m) => _lock.CheckDownload(m),
            OnRead = m => _lock.CheckDownload(m),
        },
        "filter-spanish" => new(meta, u => new FilterSpanishStage(_experiment.Filter, Get("download", u).Output(DownloadOutput(Get("download", u))), _options.Strict, u.Name,
            SourceShown(u))),
        "sample" => new(meta, BuildSample),
        "split" => new(meta, BuildSplit),
        "model" => new(meta, u => BuildModel(u.Model!))
        {
            BeforeRun = (u, cached) => _lock.ModelMismatch(u.Model!, cached),
            AfterRun = (u, m) => _lock.FillModel(u.Model!, m),
        },
        "embed" => new(meta, BuildEmbed),
        "train" => new(meta, BuildTrain)
        {
            Publish = runs =>
            {
                // A run imported without its weights (cache export --omit model.dat) is published without them.
                var done = runs.Aggregate(PublishedFolder.Outcome.None, (sum, m) => sum.Add(Materialize(m.PresentOutputs.Select(m.Output), SavedModels(_options.Root, _experiment.Name, m.Unit), "train")));
                _options.Log($"train: published {runs.Count} run{(runs.Count == 1 ? "" : "s")} to {SavedModels(_options.Root, _experiment.Name)}: {done}");
            },
        },
        "aggregate" => new(meta, _ => new AggregateStage(AggregateParamsOf(_experiment), RunInputs())),
        "plot" => new(meta, _ => new PlotStage(new PlotParams(), Get("aggregate").Output(RunsTable.FileName), RunInputs(),
            Get("aggregate").Output(RunSummary.FileName), Get("aggregate").Output(AggregateStage.PerClassFile))),
        "report" => new(meta, _ => BuildReport()) { Publish = PublishReport },
        _ => throw new InvalidOperationException($"step '{meta.Name}' of FlowSteps.All has no stage in ExperimentFlow.Wire"),
    };

    /// <summary>The step names in flow order.</summary>
    public static IReadOnlyList<string> StepNames { get; } = FlowSteps.All.Select(s => s.Name).ToList();

    public StageCache Cache { get; }

    private Step StepOf(string name)
    {
        var meta = FlowSteps.Get(name);
        return _steps.First(s => s.Meta == meta);
    }

    private IEnumerable<int> RunNumbers => Enumerable.Range(1, _experiment.Runs);

    /// <summary>Every unit of a step for this experiment, in a stable order.</summary>
    private IEnumerable<Unit> AllUnits(FlowStep step)
    {
        var e = _experiment;
        // The samples the runs draw: one per run with runs.resample, else one they share.
        IEnumerable<int?> samples = e.Resample ? RunNumbers.Select(k => (int?)k) : [null];
        return step.Units switch
        {
            UnitKind.Single => [Unit.None],
            UnitKind.PerSource => e.Split.TestSource is null ? [Unit.None] : [Unit.None, Unit.TestRows],
            UnitKind.PerSample => samples.Select(k => new Unit(Run: k)),
            // A fasttext model has no files before training: its vocabulary comes from the training split, in Train.
            UnitKind.PerModel => e.ModelList.Where(m => m.Kind != ModelSpec.FastText).Select(m => new Unit(m)),
            UnitKind.PerFrozenModelSample => e.ModelList.Where(m => e.ModeOf(m) == ModelSpec.Frozen).SelectMany(m => samples.Select(k => new Unit(m, k))),
            UnitKind.PerRun => e.ModelList.SelectMany(m => RunNumbers.Select(k => new Unit(m, k))),
            _ => throw new InvalidOperationException($"unit kind {step.Units}"),
        };
    }

    /// <summary>
    /// Checks the --model and --run choices against the experiment, so that a typo fails before any step runs
    /// (Cake calls `lmev check` first), naming the closest model.
    /// </summary>
    public void CheckSelection()
    {
        if (_options.Models is { Count: > 0 } only)
        {
            var names = _experiment.ModelList.Select(m => m.Name).ToList();
            var unknown = only.Except(names).ToList();
            if (unknown.Count > 0)
                throw new LmevException($"{_experiment.Path}: no model named {string.Join(", ", unknown.Select(u => $"'{u}'" +
                    (Suggestions.Closest(u, names) is { } close ? $" (did you mean '{close}'?)" : "")))}; models: {string.Join(", ", names)}");
        }
        if (_options.Runs is { Count: > 0 } runs)
        {
            var bad = runs.Where(r => r < 1 || r > _experiment.Runs).ToList();
            if (bad.Count > 0) throw new LmevException($"--run {string.Join(", ", bad)}: expected run numbers from 1 to {_experiment.Runs} (runs in {_experiment.Path})");
        }
    }

    /// <summary>The units to run: every unit, or those of the models and runs chosen in the options.</summary>
    private IEnumerable<Unit> Units(Step step)
    {
        var units = AllUnits(step.Meta).ToList();
        CheckSelection();
        if (step.Meta.TakesModels && _options.Models is { Count: > 0 } only)
            units = units.Where(u => only.Contains(u.Model!.Name)).ToList();
        if (step.Meta.TakesRuns && _options.Runs is { Count: > 0 } runs)
        {
            // A unit shared by every run (one sample without runs.resample) serves the chosen runs too.
            units = units.Where(u => u.Run is not { } k || runs.Contains(k)).ToList();
        }
        return units;
    }

    /// <summary>Why a step has no unit to run: the selection leaves none (a fasttext model has no Model or Embed unit), or the experiment has none.</summary>
    private string NothingToRun(Step step)
    {
        var all = AllUnits(step.Meta).ToList();
        if (all.Count == 0) return $"{step.Name}: experiment '{_experiment.Name}' has no units for this step (no {(step.Meta.TakesModels ? "models of this kind" : "models")}?); nothing to do";
        var chosen = (step.Meta.TakesModels && _options.Models is { Count: > 0 } m ? $" --model {string.Join(",", m)}" : "") +
                     (step.Meta.TakesRuns && _options.Runs is { Count: > 0 } r ? $" --run {string.Join(",", r)}" : "");
        return $"{step.Name}: no unit of experiment '{_experiment.Name}' is chosen by{chosen} (this step's units: " +
               $"{string.Join(", ", all.Select(u => u.Name).Distinct())}); nothing to do";
    }

    /// <summary>The published entry of an upstream unit; <see cref="NotReady"/> when it is not in the cache.</summary>
    private Manifest Get(string step, Unit? unit = null)
    {
        unit ??= Unit.None;
        if (_resolved.TryGetValue((step, unit.Name), out var m)) return m;
        var def = StepOf(step);
        m = Cache.Lookup(def.Build(unit)) ?? throw new NotReady(step, unit);
        def.OnRead?.Invoke(m);
        return _resolved[(step, unit.Name)] = m;
    }

    internal static string DownloadOutput(Manifest download) => download.Outputs.Keys.Single(k => k.StartsWith("source.", StringComparison.Ordinal));

    /// <summary>
    /// Download's first check for a source on disk: the user's file is re-hashed when its size or modification time
    /// changed (the hash index), and bytes that neither the cached entry nor the lock pin are an error with the two
    /// ways out. Bytes the lock now pins (after `lmev lock accept`) are left to the lock's own check, which refetches.
    /// </summary>
    private string? LocalSourceEdited(Unit unit, Manifest cached)
    {
        if (PinnedSource(unit) is not { } pinnedSource) return null;
        var (name, source) = pinnedSource;
        if (SourceFetcher.IsRemote(source.Url, out _)) return null;
        var path = Fetcher().LocalPath(source.Url);
        if (!File.Exists(path)) return null; // gone: the cached copy still holds the pinned bytes
        var sha = Cache.Hashes.Sha256(path);
        var pinned = source.Sha256.Length > 0 ? source.Sha256 : cached.Outputs[DownloadOutput(cached)].Sha256;
        if (sha.Equals(pinned, StringComparison.OrdinalIgnoreCase)) return null;
        throw new LmevException($"{path}: changed since {DataLock.FileName} pinned it as '{name}': pinned sha256 {pinned}, the file now has {sha}. " +
            $"Either restore the file, or accept its new bytes with `lmev lock accept {name}` (then commit {DataLock.FileName}); nothing was run.");
    }

    /// <summary>How a user knows the file the Download unit brought: the path or URL they gave, and its lock entry; null for generated data.</summary>
    private string? SourceShown(Unit unit) =>
        PinnedSource(unit) is { } pinned ? $"{pinned.Source.Url} (data.lock.json '{pinned.Name}')" : null;

    /// <summary>The lock entry a Download unit brings (the dataset, or split.testSource); null for generated demo data.</summary>
    private (string Name, LockedSource Source)? PinnedSource(Unit unit)
    {
        if (!unit.TestSource && _experiment.Dataset.Generate is not null) return null;
        var name = unit.TestSource ? _experiment.Split.TestSource! : _experiment.Dataset.Source!;
        return (name, DataLock.Read(_lockPath).Get(name, _lockPath));
    }

    private DownloadStage BuildDownload(Unit unit) => PinnedSource(unit) is { } pinned
        ? DownloadStage.FromLock(pinned.Name, pinned.Source, Fetcher(), Path.Combine(Cache.Root, StageCache.DownloadsFolder), unit.Name)
        : DownloadStage.Generate(_experiment.Dataset.Generate!);

    /// <summary>
    /// A run's seed for a stage: derived from the experiment's seed, the purpose and the run number,
    /// so that each run draws differently and the same experiment draws the same again. 63 bits, so
    /// that readers of the manifest's JSON that stop at a signed 64-bit integer read it exactly.
    /// </summary>
    private static ulong RunSeed(ulong seed, string purpose) => SeededRandom.For(seed, purpose).NextUInt64() >> 1;

    /// <summary>One sample shared by the runs, or with runs.resample run k's own, seeded from the run number (recorded in its params).</summary>
    private SampleStage BuildSample(Unit unit)
    {
        var p = unit.Run is { } k ? _experiment.Sample with { Seed = RunSeed(_experiment.Sample.Seed, $"sample/run-{k}") } : _experiment.Sample;
        return new SampleStage(p, Get("filter-spanish").Output(FilterSpanishStage.Output), unit.Name);
    }

    private SplitStage BuildSplit(Unit unit)
    {
        var p = unit.Run is { } k ? _experiment.Split with { Seed = RunSeed(_experiment.Split.Seed, $"split/run-{k}") } : _experiment.Split;
        var test = _experiment.Split.TestSource is null ? null : Get("filter-spanish", Unit.TestRows).Output(FilterSpanishStage.Output);
        return new SplitStage(p, Get("sample", unit).Output(SampleStage.Output), unit.Name, test);
    }

    /// <summary>The split a unit reads: its run's with runs.resample, else the shared one.</summary>
    private Manifest SplitFor(Unit unit) => Get("split", new Unit(Run: _experiment.Resample ? unit.Run : null));

    private ModelStage BuildModel(ModelSpec spec)
    {
        if (spec.Kind is not (ModelSpec.Transformer or ModelSpec.Nnlm)) return new ModelStage(spec);
        var lockFile = DataLock.Read(_lockPath);
        return new ModelStage(spec, new ModelStage.PinnedFiles(Fetcher(), Path.Combine(Cache.Root, StageCache.DownloadsFolder), lockFile.Get(spec.Source!, _lockPath),
            spec.Kind == ModelSpec.Transformer ? lockFile.Get(spec.Vocabulary!, _lockPath) : null));
    }

    private SourceFetcher Fetcher() => new(_options.Root, Cache.Hashes, _options.Log, new FetchOptions(Locked: _options.Locked));

    private EmbedStage BuildEmbed(Unit unit)
    {
        var spec = unit.Model!;
        var model = Get("model", new Unit(spec));
        var split = SplitFor(unit);
        var data = model.Outputs.Keys.Where(f => f.StartsWith(ModelStage.OnnxFile + ".", StringComparison.Ordinal)).Select(model.Output).ToList();
        return new EmbedStage(spec.Name, new EmbedParams(spec.Kind, MaxTokens: spec.MaxTokens, L2Normalize: spec.L2Normalize),
            model.Output(ModelStage.OnnxFile), model.Output(ModelStage.VocabularyFile(spec)), data,
            split.Output("train.csv"), split.Output("val.csv"), split.Output("test.csv"), unit.Name);
    }

    private TrainStage BuildTrain(Unit unit)
    {
        var spec = unit.Model!;
        var run = unit.Run!.Value;
        var t = _experiment.Train;
        var mode = _experiment.ModeOf(spec);
        var split = SplitFor(unit);
        var inputs = new Dictionary<string, Artifact>
        {
            ["classes"] = split.Output("classes.csv"),
            ["train.csv"] = split.Output("train.csv"),
            ["val.csv"] = split.Output("val.csv"),
            ["test.csv"] = split.Output("test.csv"),
        };
        if (spec.Kind == ModelSpec.FastText)
        {
            // fastText's protocol, not the study's: its own settings; the vocabulary is built from train.csv by Train.
            var ft = spec.FastTextSettings();
            var fastTextSeed = (long)(SeededRandom.For(t.Seed, $"train/{spec.Name}/run-{run}").NextUInt64() >> 1);
            return new TrainStage(new TrainParams(_experiment.Name, spec.Name, spec.Language, ft.Dim, false, mode, run, fastTextSeed,
                ft.Epochs, ft.BatchSize, Dropout: 0, Hidden: 0, ft.LearningRate, Patience: 0, FastText: ft), inputs,
                // One thread unless train.threads says: a batch's ops are small (its rows, a classes × dim layer), and on a busy
                // machine libtorch's second thread costs more in waiting than it brings (index_select of 32 titles' rows:
                // 0.4 ms on one thread, 32 ms on two, at load 23 on 2 cores).
                t.Threads > 0 ? t.Threads : 1);
        }
        if (mode == ModelSpec.FineTune)
        {
            var model = Get("model", new Unit(spec));
            inputs["model"] = model.Output(ModelStage.OnnxFile);
            inputs["vocabulary"] = model.Output(ModelStage.VocabularyFile(spec));
            foreach (var data in model.Outputs.Keys.Where(f => f.StartsWith(ModelStage.OnnxFile + ".", StringComparison.Ordinal)))
                inputs[$"model-data:{data}"] = model.Output(data);
        }
        else
        {
            var embed = Get("embed", new Unit(spec, _experiment.Resample ? run : null));
            foreach (var s in SplitFiles.Names) inputs[$"{s}.npy"] = embed.Output($"{s}.npy");
        }
        var dim = (int?)Get("model", new Unit(spec)).Report["dim"] ?? spec.Dim;
        // Each run's seed follows from the experiment's seed, the model and the run number, and is recorded.
        var seed = (long)(SeededRandom.For(t.Seed, $"train/{spec.Name}/run-{run}").NextUInt64() >> 1);
        var p = new TrainParams(_experiment.Name, spec.Name, spec.Language, dim, spec.Normalizes, mode, run, seed,
            t.Epochs, t.BatchSize, t.Dropout, t.Hidden, t.LearningRate, t.Patience);
        var device = TrainSettings.ParseDevice(_options.Device ?? t.Device)
            ?? throw new LmevException(_options.Device is not null
                ? $"--device {_options.Device}: expected one of {string.Join(", ", TrainSettings.Devices)}"
                : $"{_experiment.Path}: train.device: expected one of {string.Join(", ", TrainSettings.Devices)}, found '{t.Device}'");
        return new TrainStage(p, inputs, t.Threads, device, _options.CudaProbe);
    }

    /// <summary>
    /// Every run's metrics.json, test predictions and its split's classes.csv; a run not in the cache is passed as
    /// missing, and the report says so. With none trained, Aggregate (and so Plot and Report) is not ready, as any
    /// step whose input is missing, unless <see cref="FlowOptions.Partial"/> asks to report what exists.
    /// </summary>
    private List<RunInput> RunInputs()
    {
        var runs = AllUnits(FlowSteps.Get("train")).Select(unit =>
        {
            Manifest? train = null;
            try { train = Get("train", unit); }
            catch (NotReady) { }
            Artifact? classes = null;
            if (train is not null)
                try { classes = SplitFor(unit).Output("classes.csv"); }
                catch (NotReady) { }
            return new RunInput(unit.Model!.Name, unit.Run!.Value, train?.Output(RunMetrics.FileName),
                train is not null && train.Outputs.ContainsKey(TrainStage.Predictions) ? train.Output(TrainStage.Predictions) : null, classes);
        }).ToList();
        if (!_options.Partial && runs.All(r => r.Metrics is null)) throw new NotReady("train", new Unit());
        return runs;
    }

    /// <summary>What Aggregate reads of the experiment: the reference figures, the design, the epoch cap, and each model's kind (for pairing).</summary>
    private static AggregateParams AggregateParamsOf(Experiment e) => new(e.Reference, e.Resample, e.Train.Epochs,
        new SortedDictionary<string, ModelTraits>(e.ModelList.ToDictionary(m => m.Name, m => new ModelTraits(m.Kind)), StringComparer.Ordinal));

    private ReportStage BuildReport()
    {
        var aggregate = Get("aggregate");
        var plot = Get("plot");
        var e = _experiment;
        var dataset = e.Dataset.Source ?? $"datos de demostración generados (semilla {e.Dataset.Generate!.Seed}, {ReportDocument.Int(e.Dataset.Generate.Rows)} filas)";
        var lockEntries = new SortedDictionary<string, LockedSource>(StringComparer.Ordinal);
        if (e.Dataset.Source is { } source) lockEntries[source] = DataLock.Read(_lockPath).Get(source, _lockPath);
        if (e.Split.TestSource is { } testSource) lockEntries[testSource] = DataLock.Read(_lockPath).Get(testSource, _lockPath);
        var p = new ReportParams(e.Name, e.Description, dataset, e.Sample.Rows, e.Split.TestRows, e.Split.ValidationFraction, e.Runs, e.Resample,
            // The device is where the study ran, not what it is: the same report on any device.
            CanonicalJson.ToNode(e.Train with { Device = null })!.AsObject(), lockEntries, _commit.Value);
        if (e.Split.TestSource is { } named)
        {
            // What Split found in the fixed test rows (of run 1's split with runs.resample; the test rows are the same in every run).
            var split = SplitFor(new Unit(Run: 1)).Report;
            p = p with
            {
                TestSource = new TestSourceFacts(named, (long)split["testRows"]!, (long)split[SplitStage.TestRowsCategoryNotInTrain]!,
                    (long)split[SplitStage.TestTitlesInTrain]!),
            };
        }
        var figures = PlotStage.Figures.Where(f => plot.Outputs.ContainsKey(f + ".png")).Select(f => plot.Output(f + ".png")).ToList();
        return new ReportStage(p, aggregate.Output(RunSummary.FileName), aggregate.Output(RunsTable.FileName), figures, aggregate.Output(AggregateStage.PerClassFile));
    }

    /// <summary>Report's Publish: the document, its figures as SVG beside the PNGs, in report/.</summary>
    private void PublishReport(IReadOnlyList<Manifest> results)
    {
        var plot = Get("plot");
        var svgs = plot.Outputs.Keys.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)).Select(plot.Output);
        var target = ReportFolder(_options.Root);
        var done = Materialize(results[0].Outputs.Keys.Select(results[0].Output).Concat(svgs), target, "report");
        _options.Log($"report: {Path.Combine(target, ReportStage.Markdown)} and {Path.Combine(target, ReportStage.Html)} ({done})");
    }

    /// <summary>
    /// Runs every unit of <paramref name="step"/> (or the models and runs chosen in the options). Its
    /// upstream entries must already be in the cache (Cake runs the steps in order); otherwise the
    /// error names the command to run first.
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
                var what = n.Unit.Name == "" ? $"'{n.Step}'" : $"'{n.Step}' for {n.Unit.Name}";
                var slice = (n.Unit.Model is { } m ? $" --model {m.Name}" : "") + (n.Unit.Run is { } k ? $" --run {k}" : "");
                throw new LmevException(
                    $"step '{step}' of experiment '{_experiment.Name}' needs the output of {what}, which is not in the cache or is out of date; " +
                    $"run `lmev {n.Step} --experiment {_experiment.Name}{slice}` (or `dotnet cake --target={def.Meta.Target} --experiment={_experiment.Name}`) first");
            }
            var force = _options.Force;
            if (!force && def.BeforeRun is { } check && Cache.Lookup(stage) is { } cached && check(unit, cached) is { } reason)
            {
                _options.Log($"{StageCache.Label(stage)}: {reason}; fetching again");
                force = true;
            }
            var manifest = Cache.Run(stage, _experiment.Name, force, _options.Log);
            if (def.AfterRun is { } after)
                IoFailure.Guard(StageCache.Label(stage), $"the entry is published; {DataLock.FileName} was left as it was",
                    () => after(unit, manifest), _lockPath);
            _resolved[(step, unit.Name)] = manifest;
            results.Add(manifest);
        }
        if (results.Count == 0) _options.Log(NothingToRun(def));
        else if (def.Publish is { } publish)
            // Materialize writes beside the folder and swaps it in: a failure leaves the old folder whole.
            IoFailure.Guard(step, "its cache entries are published; each folder it copies them to (saved_models/, report/) is whole, old or new",
                () => publish(results), _options.Root);
        return results;
    }

    /// <summary>
    /// Publishes cached files to a folder people open (saved_models/…, report/): hard links of the cache files (copies
    /// where linking fails) with a record of their entries, assembled beside it and swapped in with renames, so the
    /// folder is never half old and half new (<see cref="PublishedFolder"/>).
    /// </summary>
    private PublishedFolder.Outcome Materialize(IEnumerable<Artifact> files, string target, string step) => PublishedFolder.Publish(files, target, _experiment.Name, step);

    private static string SavedModels(string root, string experiment, string unit = "") => Path.Combine(root, "saved_models", experiment, unit);

    private static string ReportFolder(string root) => Path.Combine(root, "report");

    /// <summary>
    /// The folders Publish filled under <paramref name="root"/> (what `lmev verify` checks): saved_models/&lt;experiment&gt;/…/
    /// of <paramref name="experiment"/> (null: of every experiment), and report/ when it reports that experiment (or its
    /// record is unreadable); each with the command that publishes it again from the cache (or rebuilds it).
    /// </summary>
    public static IEnumerable<(string Folder, string Republish)> PublishedFolders(string root, string? experiment)
    {
        var saved = SavedModels(root, "");
        IEnumerable<string> experiments = experiment is not null ? [experiment]
            : Directory.Exists(saved) ? Directory.EnumerateDirectories(saved).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToList() : [];
        foreach (var name in experiments)
        {
            var top = SavedModels(root, name);
            if (!Directory.Exists(top)) continue;
            var pending = new Stack<string>([top]);
            var found = new List<string>();
            while (pending.TryPop(out var dir))
            {
                if (PublishedFolder.IsLeftover(dir)) continue;
                // A folder holding files (a unit's, or a stray one) is checked; one holding only folders is walked.
                if (dir != top && Directory.EnumerateFiles(dir).Any()) found.Add(dir);
                else foreach (var sub in Directory.EnumerateDirectories(dir)) pending.Push(sub);
            }
            foreach (var dir in found.Order(StringComparer.Ordinal))
            {
                var parts = Path.GetRelativePath(top, dir).Split(Path.DirectorySeparatorChar);
                var slice = parts is [var model, var run] && run.StartsWith("run-", StringComparison.Ordinal) ? $" --model {model} --run {run[4..]}" : "";
                yield return (dir, $"lmev train --experiment {name}{slice}");
            }
        }
        var report = ReportFolder(root);
        if (!Directory.Exists(report)) yield break;
        var owner = PublishedFolder.ReadRecord(report)?.Experiment;
        if (experiment is null || owner is null || owner == experiment)
            yield return (report, $"lmev report --experiment {owner ?? experiment ?? "<the experiment it reports>"}");
    }

    // ---- moving entries between caches ----

    /// <summary>
    /// What `lmev cache export` packs: the cached entries of <paramref name="steps"/>' units (the models and
    /// runs chosen in the options) without the outputs named in <paramref name="omit"/>, and of
    /// <paramref name="manifestsOnly"/>' units their manifests alone (enough for the keys downstream).
    /// A unit not in the cache is an error naming the command that makes it.
    /// </summary>
    public IReadOnlyList<Lmev.Pipeline.Transfer.ExportSelection> ExportSelections(
        IEnumerable<string> steps, IEnumerable<string> manifestsOnly, IReadOnlySet<string> omit)
    {
        var selections = new List<Lmev.Pipeline.Transfer.ExportSelection>();
        void Add(string step, Func<Manifest, IReadOnlySet<string>> leave)
        {
            var def = StepOf(step);
            foreach (var unit in Units(def))
            {
                Manifest m;
                try { m = Get(step, unit); }
                catch (NotReady n)
                {
                    var slice = (n.Unit.Model is { } mo ? $" --model {mo.Name}" : "") + (n.Unit.Run is { } k ? $" --run {k}" : "");
                    throw new LmevException($"cannot export '{step}'{(unit.Name == "" ? "" : $" [{unit.Name}]")} of experiment '{_experiment.Name}': " +
                        $"'{n.Step}'{(n.Unit.Name == "" ? "" : $" [{n.Unit.Name}]")} is not in the cache {Cache.Root}; run `lmev {n.Step} --experiment {_experiment.Name}{slice}` first");
                }
                selections.Add(new(m, leave(m)));
            }
        }
        foreach (var step in steps) Add(step, _ => omit);
        foreach (var step in manifestsOnly) Add(step, m => m.Outputs.Keys.ToHashSet(StringComparer.Ordinal));
        return selections;
    }

    // ---- status and gc ----

    public sealed record StepStatus(string Step, string Unit, string State, string? Key, IReadOnlyList<string> Reasons);

    /// <summary>Each unit of each step as up to date, stale (and why) or never run, like `dvc status`.</summary>
    public IReadOnlyList<StepStatus> Status()
    {
        var result = new List<StepStatus>();
        foreach (var step in _steps)
        foreach (var u in Units(step))
        {
            var unit = u.Name;
            var previous = Cache.ReadRef(_experiment.Name, step.Name, unit);
            IStage stage;
            try { stage = step.Build(u); }
            catch (NotReady n)
            {
                var what = n.Unit.Name == "" ? n.Step : $"{n.Step} [{n.Unit.Name}]";
                result.Add(new StepStatus(step.Name, unit, previous is null ? "never run" : "stale", null, [$"upstream '{what}' is not up to date"]));
                continue;
            }
            catch (LmevException e) { result.Add(new StepStatus(step.Name, unit, "error", null, [e.Message])); continue; }
            var key = StageCache.Key(stage);
            Manifest? entry;
            try { entry = Cache.Lookup(stage); }
            catch (LmevException e) { result.Add(new StepStatus(step.Name, unit, "error", key, [e.Message])); continue; } // a damaged manifest
            if (entry is not null)
            {
                // What a run would check first (an edited source file, a lock that now pins other bytes).
                string? reason;
                try { reason = step.BeforeRun?.Invoke(u, entry); }
                catch (LmevException e) { result.Add(new StepStatus(step.Name, unit, "error", key, [e.Message])); continue; }
                if (reason is not null) { result.Add(new StepStatus(step.Name, unit, "stale", key, [reason])); continue; }
                if (CacheVerification.QuickCheck(entry) is { } damage)
                {
                    result.Add(new StepStatus(step.Name, unit, "error", key, [$"damaged: {damage}; run `lmev verify --repair` (it removes damaged entries) and run again"]));
                    continue;
                }
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

    /// <summary>The entries this experiment reaches with its current parameters (what `gc` keeps, and `verify --experiment` checks).</summary>
    public IEnumerable<(string Stage, string Key)> Reachable()
    {
        foreach (var step in _steps)
        foreach (var unit in AllUnits(step.Meta))
        {
            IStage stage;
            try { stage = step.Build(unit); }
            catch (NotReady) { continue; }
            catch (LmevException) { continue; }
            yield return (step.Name, StageCache.Key(stage));
        }
    }
}
