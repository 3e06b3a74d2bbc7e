using System.Text.Json.Nodes;
using Lmev.Stages.Download;
using Lmev.Stages.FilterSpanish;
using Lmev.Stages.Sample;
using Lmev.Stages.Split;

namespace Lmev.Pipeline;

/// <summary>How the command line wants a flow run.</summary>
/// <param name="Root">The project folder (holds data.lock.json and experiments/).</param>
/// <param name="CacheRoot">The stage cache, normally &lt;root&gt;/cache.</param>
/// <param name="Force">Rerun the named step even when its entry exists.</param>
/// <param name="Locked">Refuse any change to data.lock.json (CI).</param>
/// <param name="Strict">Stop at the first bad input row.</param>
public sealed record FlowOptions(string Root, string CacheRoot, Action<string> Log, bool Force = false, bool Locked = false, bool Strict = false);

/// <summary>
/// The pipeline's graph for one experiment: which stage follows which, and which experiment group
/// and upstream outputs each stage is built from. Stages meet only through cached artifacts: a
/// stage's inputs are read from its upstream's manifest, so a key never needs an input re-hashed.
/// </summary>
public sealed class ExperimentFlow
{
    /// <summary>The steps in flow order, with the step each one reads from.</summary>
    public static readonly IReadOnlyList<(string Name, string? Upstream)> Steps =
    [
        ("download", null),
        ("filter-spanish", "download"),
        ("sample", "filter-spanish"),
        ("split", "sample"),
    ];

    private readonly Experiment _experiment;
    private readonly FlowOptions _options;
    private readonly string _lockPath;

    public ExperimentFlow(Experiment experiment, FlowOptions options)
    {
        _experiment = experiment;
        _options = options;
        _lockPath = Path.Combine(options.Root, DataLock.FileName);
        Cache = new StageCache(options.CacheRoot);
    }

    public StageCache Cache { get; }

    /// <summary>Builds the stage of <paramref name="step"/> given its upstream step's published entry.</summary>
    public IStage Build(string step, Manifest? upstream) => step switch
    {
        "download" => BuildDownload(),
        "filter-spanish" => new FilterSpanishStage(_experiment.Filter, Need(upstream, step).Output(DownloadOutput(Need(upstream, step))), _options.Strict),
        "sample" => new SampleStage(_experiment.Sample, Need(upstream, step).Output(FilterSpanishStage.Output)),
        "split" => new SplitStage(_experiment.Split, Need(upstream, step).Output(SampleStage.Output)),
        _ => throw new LmevException($"unknown step '{step}'; steps: {string.Join(", ", Steps.Select(s => s.Name))}"),
    };

    private static Manifest Need(Manifest? upstream, string step) =>
        upstream ?? throw new InvalidOperationException($"{step} needs its upstream entry");

    private static string DownloadOutput(Manifest download) => download.Outputs.Keys.Single(k => k.StartsWith("source.", StringComparison.Ordinal));

    private DownloadStage BuildDownload()
    {
        if (_experiment.Dataset.Generate is { } demo) return DownloadStage.Generate(demo);
        var name = _experiment.Dataset.Source!;
        var source = DataLock.Read(_lockPath).Get(name, _lockPath);
        var fetcher = new SourceFetcher(_options.Root, Cache.Hashes, _options.Log, new FetchOptions(Locked: _options.Locked));
        return DownloadStage.FromLock(name, source, fetcher, Path.Combine(Cache.Root, ".downloads"));
    }

    /// <summary>
    /// Runs <paramref name="step"/> for the experiment. Its upstream steps must already be in the
    /// cache (Cake runs them first); otherwise the error names the command to run.
    /// </summary>
    public Manifest Run(string step)
    {
        Manifest? upstream = null;
        foreach (var (name, _) in Steps)
        {
            if (name == step) break;
            var stage = Build(name, upstream);
            upstream = Cache.Lookup(stage) ?? throw new LmevException(
                $"step '{step}' of experiment '{_experiment.Name}' needs the output of '{name}', which is not in the cache or is out of date; " +
                $"run `lmev {name} --experiment {_experiment.Name}` (or `dotnet cake --target={Target(step)} --experiment={_experiment.Name}`) first");
            if (name == "download") CheckLockAgainst(upstream);
        }

        var current = Build(step, upstream);
        var force = _options.Force;
        if (step == "download" && !force && Cache.Lookup(current) is { } cached && !CheckLockAgainst(cached, throwIfChanged: false))
        {
            _options.Log($"download: the cached file does not match data.lock.json's sha256; fetching again");
            force = true;
        }
        var manifest = Cache.Run(current, _experiment.Name, force, _options.Log);
        if (step == "download") CheckLockAgainst(manifest);
        return manifest;
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
            if (_options.Locked)
                throw new LmevException($"{_lockPath}: source '{name}' has no sha256 and --locked refuses to change the lock; run once without --locked and commit {DataLock.FileName}");
            lockFile.Sources[name] = locked with { Sha256 = file.Sha256, Size = file.Size };
            lockFile.Write(_lockPath);
            _options.Log($"{DataLock.FileName}: '{name}' had no sha256; filled with {file.Sha256} ({file.Size:N0} bytes), trust on first use — commit {DataLock.FileName}");
            return true;
        }
        if (locked.Sha256 == file.Sha256) return true;
        if (throwIfChanged)
            throw new LmevException($"{_lockPath}: source '{name}' expects sha256 {locked.Sha256} but the cached download has {file.Sha256}; run `lmev download --experiment {_experiment.Name}`");
        return false;
    }

    /// <summary>The Cake target that runs a step: its name in PascalCase.</summary>
    public static string Target(string step) => string.Concat(step.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    // ---- status and gc ----

    public sealed record StepStatus(string Step, string State, string? Key, IReadOnlyList<string> Reasons);

    /// <summary>Each step as up to date, stale (and why) or never run, like `dvc status`.</summary>
    public IReadOnlyList<StepStatus> Status()
    {
        var result = new List<StepStatus>();
        Manifest? upstream = null;
        var upstreamOk = true;
        foreach (var (name, up) in Steps)
        {
            var previous = Cache.ReadRef(_experiment.Name, name);
            if (!upstreamOk)
            {
                var reasons = new List<string> { $"upstream '{up}' is not up to date" };
                result.Add(new StepStatus(name, previous is null ? "never run" : "stale", null, reasons));
                continue;
            }
            IStage stage;
            try { stage = Build(name, upstream); }
            catch (LmevException e) { result.Add(new StepStatus(name, "error", null, [e.Message])); upstreamOk = false; continue; }
            var key = StageCache.Key(stage);
            var entry = Cache.Lookup(stage);
            if (entry is not null)
            {
                result.Add(new StepStatus(name, "up to date", key, []));
                upstream = entry;
                continue;
            }
            upstreamOk = false;
            if (previous is null) { result.Add(new StepStatus(name, "never run", key, [])); continue; }
            var why = new List<string>();
            Diff(previous.Params, CanonicalJson.ToNode(stage.Params), "params", why);
            foreach (var (input, artifact) in stage.Inputs)
                if (!previous.Inputs.TryGetValue(input, out var was) || was.Sha256 != artifact.Sha256)
                    why.Add($"input '{input}' changed ({Short(was?.Sha256)} → {Short(artifact.Sha256)}, from {artifact.Stage} {artifact.Key})");
            if (why.Count == 0) why.Add(Cache.EntryDirectory(name, previous.Key) is var d && !Directory.Exists(d)
                ? $"its entry {previous.Key} was removed (gc?)" : $"stage version changed");
            result.Add(new StepStatus(name, "stale", key, why));
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
        Manifest? upstream = null;
        foreach (var (name, _) in Steps)
        {
            IStage stage;
            try { stage = Build(name, upstream); }
            catch (LmevException) { break; }
            yield return (name, StageCache.Key(stage));
            upstream = Cache.Lookup(stage);
            if (upstream is null) break;
        }
    }
}
