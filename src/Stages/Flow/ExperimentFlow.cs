using Lmev.Flow.Steps;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Contracts;

namespace Lmev.Flow;

/// <summary>
/// The pipeline's graph for one experiment: its steps in flow order (each wired in <c>Flow/Steps/</c>), their units (see
/// <see cref="UnitKind"/>), the upstream entries a unit's stage is built from, and the loop that runs a step's units through the
/// stage cache. It knows no particular stage: what a step reads and what it does besides running is in its wiring.
/// Stages meet only through cached artifacts: a stage's inputs come from its upstream's manifest, so building a key never
/// re-hashes a file. Status, reachability, the published folders and exports are read from the flow by files of their own.
/// </summary>
public sealed class ExperimentFlow
{
    private readonly IReadOnlyList<StepWiring> _steps;
    private readonly Dictionary<(string, string), Manifest> _resolved = new();
    private readonly Lazy<string> _commit;

    public ExperimentFlow(Experiment experiment, FlowOptions options)
    {
        Experiment = experiment;
        Options = options;
        LockPath = Path.Combine(options.Root, DataLock.FileName);
        Lock = new FlowLock(LockPath, experiment, options.Locked, options.ReadOnly, options.Log);
        Cache = new StageCache(options.CacheRoot, options.ReadOnly);
        _commit = new(() => GitHead.Short(options.Root));
        _steps = StepWirings.For(this);
        if (!_steps.Select(s => s.Meta).SequenceEqual(FlowSteps.All))
            throw new InvalidOperationException("StepWirings.For wires other steps, or in another order, than FlowSteps.All");
    }

    /// <summary>The experiment this flow runs, as read and checked.</summary>
    public Experiment Experiment { get; }

    public StageCache Cache { get; }

    internal FlowOptions Options { get; }

    /// <summary>The cache's remote tier this flow uses, if any.</summary>
    public Lmev.Pipeline.Remote.RemoteUse? Remote => Options.Remote;

    internal FlowLock Lock { get; }

    internal string LockPath { get; }

    /// <summary>The commit the project is checked out at, for the report: read from .git once, with no process.</summary>
    internal string Commit => _commit.Value;

    /// <summary>The step names in flow order.</summary>
    public static IReadOnlyList<string> StepNames { get; } = FlowSteps.All.Select(s => s.Name).ToList();

    internal IReadOnlyList<StepWiring> Steps => _steps;

    internal StepWiring Step(string name) => _steps[StepNames.ToList().IndexOf(FlowSteps.Get(name).Name)];

    /// <summary>How the flow fetches pinned sources (downloads resumed in the cache's downloads folder).</summary>
    internal SourceFetcher Fetcher() => new(Options.Root, Cache.Hashes, Options.Log, new FetchOptions(Locked: Options.Locked));

    // ---- units ----

    private IEnumerable<int> RunNumbers => Enumerable.Range(1, Experiment.Runs);

    /// <summary>Every unit of a step for this experiment, in a stable order.</summary>
    internal IEnumerable<Unit> AllUnits(FlowStep step)
    {
        var e = Experiment;
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
        if (Options.Models is { Count: > 0 } only)
        {
            var names = Experiment.ModelList.Select(m => m.Name).ToList();
            var unknown = only.Except(names).ToList();
            if (unknown.Count > 0)
                throw new LmevException($"{Experiment.Path}: no model named {string.Join(", ", unknown.Select(u => $"'{u}'" +
                    (Suggestions.Closest(u, names) is { } close ? $" (did you mean '{close}'?)" : "")))}; models: {string.Join(", ", names)}");
        }
        if (Options.Runs is { Count: > 0 } runs && runs.Where(r => r < 1 || r > Experiment.Runs).ToList() is { Count: > 0 } bad)
            throw new LmevException($"--run {string.Join(", ", bad)}: expected run numbers from 1 to {Experiment.Runs} (runs in {Experiment.Path})");
    }

    /// <summary>The units to run: every unit, or those of the models and runs chosen in the options.</summary>
    internal IEnumerable<Unit> Units(StepWiring step)
    {
        var units = AllUnits(step.Meta).ToList();
        CheckSelection();
        if (step.Meta.TakesModels && Options.Models is { Count: > 0 } only)
            units = units.Where(u => only.Contains(u.Model!.Name)).ToList();
        // A unit shared by every run (one sample without runs.resample) serves the chosen runs too.
        if (step.Meta.TakesRuns && Options.Runs is { Count: > 0 } runs)
            units = units.Where(u => u.Run is not { } k || runs.Contains(k)).ToList();
        return units;
    }

    // ---- upstream entries ----

    /// <summary>The published entry of an upstream unit; <see cref="NotReady"/> when it is not in the cache.</summary>
    internal Manifest Get(string step, Unit? unit = null)
    {
        unit ??= Unit.None;
        if (_resolved.TryGetValue((step, unit.Name), out var m)) return m;
        var wiring = Step(step);
        var stage = wiring.Build(unit);
        m = Cache.Lookup(stage) ?? FromRemote(stage) ?? throw new NotReady(step, unit);
        wiring.OnRead(m);
        return _resolved[(step, unit.Name)] = m;
    }

    /// <summary>
    /// A unit missing locally, from the remote when the project has one: its manifest alone when the flow only looks (`status`), else
    /// the entry pulled, verified and published (<see cref="FlowRemote"/>); null when the remote lacks it or refused it (said, so that
    /// it is computed locally).
    /// </summary>
    private Manifest? FromRemote(IStage stage) => FlowRemote.Find(this, stage);

    /// <summary>The split a unit reads: its run's with runs.resample, else the shared one.</summary>
    internal Manifest SplitFor(Unit unit) => Get("split", new Unit(Run: Experiment.Resample ? unit.Run : null));

    /// <summary>Records an entry found up to date (by `status`), so that later lookups reuse it.</summary>
    internal void Resolved(string step, Unit unit, Manifest entry) => _resolved[(step, unit.Name)] = entry;

    // ---- running ----

    /// <summary>
    /// Runs every unit of <paramref name="step"/> (or the models and runs chosen in the options). Its
    /// upstream entries must already be in the cache (Cake runs the steps in order); otherwise the
    /// error names the command to run first.
    /// </summary>
    public IReadOnlyList<Manifest> Run(string step)
    {
        var wiring = Step(step);
        var results = new List<Manifest>();
        foreach (var unit in Units(wiring))
        {
            IStage stage;
            try { stage = wiring.Build(unit); }
            catch (NotReady n)
            {
                throw new LmevException(
                    $"step '{step}' of experiment '{Experiment.Name}' needs the output of {n.What}, which is not in the cache or is out of date; " +
                    $"run `lmev {n.Step} --experiment {Experiment.Name}{n.Unit.Slice}` (or `dotnet cake --target={wiring.Meta.Target} --experiment={Experiment.Name}`) first");
            }
            var force = Options.Force;
            var cached = force ? null : Cache.Lookup(stage);
            // Missing here, looked up in the remote before it is computed: found, it is published verified and used as a local hit.
            var pulled = force || cached is not null ? null : FromRemote(stage);
            if ((cached ?? pulled) is { } found && wiring.BeforeRun(unit, found) is { } reason)
            {
                Options.Log($"{StageCache.Label(stage)}: {reason}; fetching again");
                (force, pulled) = (true, null);
            }
            Manifest manifest;
            if (pulled is not null)
            {
                manifest = pulled;
                IoFailure.Guard(StageCache.Label(stage), "the entry is in the cache, but its ref for `lmev status` was not written",
                    () => Cache.WriteRef(Experiment.Name, pulled));
            }
            else manifest = Cache.Run(stage, Experiment.Name, force, Options.Log);
            FlowRemote.PushIfAsked(this, stage, manifest);
            IoFailure.Guard(StageCache.Label(stage), $"the entry is published; {DataLock.FileName} was left as it was",
                () => wiring.AfterRun(unit, manifest), LockPath);
            _resolved[(step, unit.Name)] = manifest;
            results.Add(manifest);
        }
        if (results.Count == 0) Options.Log(NothingToRun(wiring));
        else
            // A publish writes beside the folder and swaps it in: a failure leaves the old folder whole.
            IoFailure.Guard(step, "its cache entries are published; each folder it copies them to (saved_models/, report/) is whole, old or new",
                () => wiring.Publish(results), Options.Root);
        return results;
    }

    /// <summary>Why a step has no unit to run: the selection leaves none (a fasttext model has no Model or Embed unit), or the experiment has none.</summary>
    private string NothingToRun(StepWiring step)
    {
        var all = AllUnits(step.Meta).ToList();
        if (all.Count == 0) return $"{step.Name}: experiment '{Experiment.Name}' has no units for this step (no {(step.Meta.TakesModels ? "models of this kind" : "models")}?); nothing to do";
        var chosen = (step.Meta.TakesModels && Options.Models is { Count: > 0 } m ? $" --model {string.Join(",", m)}" : "") +
                     (step.Meta.TakesRuns && Options.Runs is { Count: > 0 } r ? $" --run {string.Join(",", r)}" : "");
        return $"{step.Name}: no unit of experiment '{Experiment.Name}' is chosen by{chosen} (this step's units: " +
               $"{string.Join(", ", all.Select(u => u.Name).Distinct())}); nothing to do";
    }

    // ---- what other commands read of the flow (each in a file of its own) ----

    /// <summary>Each unit of each step as up to date, stale (and why) or never run, like `dvc status` (<see cref="FlowStatus"/>).</summary>
    public IReadOnlyList<FlowStatus.StepStatus> Status() => FlowStatus.Of(this);

    /// <summary>The entries this experiment reaches with its current parameters (what `gc` keeps; <see cref="FlowReach"/>).</summary>
    public IEnumerable<(string Stage, string Key)> Reachable() => FlowReach.Of(this);

    /// <summary>What `lmev cache export` packs (<see cref="FlowExport"/>).</summary>
    public IReadOnlyList<Lmev.Pipeline.Transfer.ExportSelection> ExportSelections(IEnumerable<string> steps, IEnumerable<string> manifestsOnly, IReadOnlySet<string> omit,
        Action<string>? notCached = null) =>
        FlowExport.Selections(this, steps, manifestsOnly, omit, notCached);
}

/// <summary>Raised while resolving upstream entries when one is not in the cache.</summary>
internal sealed class NotReady(string step, Unit unit) : Exception($"{step} {unit.Name}")
{
    public string Step { get; } = step;

    public Unit Unit { get; } = unit;

    /// <summary>How messages name it: "'split'", or "'embed' for r16/run-1".</summary>
    public string What => Unit.Name == "" ? $"'{Step}'" : $"'{Step}' for {Unit.Name}";
}
