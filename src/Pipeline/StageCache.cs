using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lmev.Pipeline;

/// <summary>
/// The content-addressed stage cache. An entry is <c>&lt;root&gt;/&lt;stage&gt;/&lt;key&gt;/</c> holding the
/// stage's outputs and a <c>manifest.json</c>. The key hashes the stage name and version, the
/// canonical JSON of its parameters, and the SHA-256 of its inputs as upstream manifests recorded
/// them. A stage runs in <c>&lt;root&gt;/.tmp/</c> and its folder is published with one atomic
/// rename, so an entry is always whole; a process killed mid-stage leaves only a temporary folder,
/// removed by the next run.
/// </summary>
public sealed class StageCache
{
    /// <summary>Temporary folders, on the entries' filesystem so that publishing is one rename.</summary>
    public const string TempFolder = ".tmp";
    public const string RefsFolder = "refs";

    /// <summary>Downloads in progress (<c>NAME.part</c>, its sidecar and its lock file), kept between attempts.</summary>
    public const string DownloadsFolder = ".downloads";

    /// <summary>Where the command line writes the trace of an unexpected error; not a stage.</summary>
    public const string LogsFolder = "logs";

    /// <param name="root">The cache folder.</param>
    /// <param name="readOnly">Only look (`lmev status`, `verify`, `gc --dry-run`): the hash index is read but never written.</param>
    public StageCache(string root, bool readOnly = false)
    {
        Root = Path.GetFullPath(root);
        Hashes = new FileHashIndex(Path.Combine(Root, "hash-index.json"), save: !readOnly);
    }

    public string Root { get; }

    public FileHashIndex Hashes { get; }

    public static string Key(IStage stage) =>
        Key(stage.Name, stage.Version, CanonicalJson.ToNode(stage.Params), stage.Inputs.Select(i => KeyValuePair.Create(i.Key, i.Value.Sha256)));

    /// <summary>The key of what a manifest records: how an imported entry is checked against its folder's name.</summary>
    public static string Key(Manifest m) =>
        Key(m.Stage, m.Version, m.Params, m.Inputs.Select(i => KeyValuePair.Create(i.Key, i.Value.Sha256)));

    private static string Key(string stage, int version, JsonNode? parameters, IEnumerable<KeyValuePair<string, string>> inputs)
    {
        var identity = new JsonObject
        {
            ["stage"] = stage,
            ["version"] = version,
            ["params"] = parameters?.DeepClone(),
            ["inputs"] = new JsonObject(inputs.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Value))),
        };
        return Hashing.Sha256Hex(CanonicalJson.Sort(identity)!.ToJsonString())[..16];
    }

    public string EntryDirectory(string stage, string key) => Path.Combine(Root, stage, key);

    /// <summary>How messages name a unit of a stage: "sample", or "train [r16/run-1]".</summary>
    public static string Label(IStage stage) => stage.Unit == "" ? stage.Name : $"{stage.Name} [{stage.Unit}]";

    /// <summary>The published entry for this stage's key, or null.</summary>
    public Manifest? Lookup(IStage stage)
    {
        var dir = EntryDirectory(stage.Name, Key(stage));
        return File.Exists(Path.Combine(dir, Manifest.FileName)) ? Manifest.Read(dir) : null;
    }

    /// <summary>Runs the stage unless its entry exists (or <paramref name="force"/>), and returns the entry's manifest.</summary>
    public Manifest Run(IStage stage, string experiment, bool force, Action<string> log)
    {
        var key = Key(stage);
        var label = Label(stage);
        var entry = EntryDirectory(stage.Name, key);
        CleanTemp(); // folders left by processes that died mid-stage
        if (!force && Directory.Exists(entry))
        {
            var cached = Manifest.Read(entry);
            log($"{label}: cached ({key})");
            IoFailure.Guard(label, "the entry is in the cache, but its ref for `lmev status` was not written", () => WriteRef(experiment, stage, cached));
            return cached;
        }

        RequirePresent(stage, label);
        VerifyInputs(stage, label);
        var published = false;
        string? tmpPath = null;
        try { return RunAndPublish(stage, experiment, force, log, key, label, entry, ref published, ref tmpPath); }
        catch (Exception e) when (IoFailure.Classify(e) is { } failure)
        {
            // The temporary folders are gone by now (OwnedFolder), unless removing them failed too.
            var left = tmpPath is not null && Directory.Exists(tmpPath) ? $"temporary folder {tmpPath} left" : "temporary files removed";
            throw failure.In(label, published ? $"the entry {entry} was published, but its ref for `lmev status` was not written" : $"nothing was published, {left}",
                tmpPath).ToException(e);
        }
    }

    private Manifest RunAndPublish(IStage stage, string experiment, bool force, Action<string> log, string key, string label, string entry,
        ref bool published, ref string? tmpPath)
    {
        using var owned = OwnedFolder.Create(Path.Combine(Root, TempFolder), $"{stage.Name}-{key}-{Guid.NewGuid():N}");
        var tmp = tmpPath = owned.Path;
        log($"{label}: running ({key})");
        FaultPoint.Reached("started", stage.Name);
        OwnedFolder? scratch = null;
        var context = new StageContext(tmp, experiment, stage.Inputs, m => log($"{label}: {m}"),
            () => (scratch = OwnedFolder.Create(Path.Combine(Root, TempFolder), $"{stage.Name}-{key}-{Guid.NewGuid():N}-scratch")).Path);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        ReadHashes.Forget(stage.Inputs.Values.Select(i => i.Path));
        try { stage.Run(context); }
        catch (Exception e) when (IoFailure.Classify(e) is { } failure)
        {
            // What the stage had written before the disk filled: a lower bound of what it needs (unless it knew, e.g. a pinned size).
            throw failure.WithWritten(IoFailure.BytesUnder(tmp) + IoFailure.BytesUnder(scratch?.Path)).ToException(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A damaged input, not the stage, is the cause to name when the stage stopped on what it read.
            if (DamagedInputs(stage) is { Count: > 0 } damaged) throw Damaged(label, damaged, $"the stage stopped on it ({e.Message}); nothing was published", e);
            throw;
        }
        finally { scratch?.Dispose(); }
        // Every input as the stage read it (hashed on the way for CSV, read again otherwise) is what its manifest recorded.
        if (DamagedInputs(stage) is { Count: > 0 } wrong) throw Damaged(label, wrong, "nothing was published", null);
        clock.Stop();
        FaultPoint.Reached("ran", stage.Name);

        var outputs = new SortedDictionary<string, FileRecord>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(tmp))
            outputs[Path.GetFileName(file)] = new FileRecord(Hashing.Sha256OfFile(file), new FileInfo(file).Length);
        var versions = new SortedDictionary<string, string>(context.Versions, StringComparer.Ordinal)
        {
            ["lmev"] = HostInfo.LmevVersion,
            ["dotnet"] = Environment.Version.ToString(),
        };
        var manifest = new Manifest(
            stage.Name, stage.Version, key, stage.Unit, experiment,
            CanonicalJson.ToNode(stage.Params),
            new SortedDictionary<string, InputRecord>(
                stage.Inputs.ToDictionary(i => i.Key, i => new InputRecord(i.Value.Stage, i.Value.Key, i.Value.File, i.Value.Sha256, i.Value.Size)),
                StringComparer.Ordinal),
            outputs, context.Report, started, started + clock.Elapsed,
            HostInfo.Current, versions, context.Device);
        var manifestJson = manifest.ToJson();
        try { File.WriteAllText(Path.Combine(tmp, Manifest.FileName), manifestJson); }
        catch (Exception e) when (IoFailure.Classify(e) is { } failure)
        {
            throw failure.WithNeeded(IoFailure.BytesUnder(tmp) + manifestJson.Length, "its outputs and manifest", atLeast: true).Measured().ToException(e);
        }
        ReadOnlyFiles.Seal(tmp); // a published entry is read-only (what that buys: ReadOnlyFiles)
        FaultPoint.Reached("assembled", stage.Name);

        Publish(tmp, entry, force, label, log);
        published = true;
        var publishedManifest = Manifest.Read(entry);
        FaultPoint.Reached("published", stage.Name);
        log($"{label}: done in {clock.Elapsed.TotalSeconds:F1} s");
        WriteRef(experiment, stage, publishedManifest);
        return publishedManifest;
    }

    /// <summary>
    /// An input left behind on purpose by a partial import (see <see cref="PartialEntry"/>) is an error naming it, before
    /// the stage starts. Any other missing file is the stage's to handle (Aggregate reports a run whose metrics are gone).
    /// </summary>
    private static void RequirePresent(IStage stage, string label)
    {
        foreach (var (name, a) in stage.Inputs)
        {
            if (File.Exists(a.Path) || !PartialEntry.Read(Path.GetDirectoryName(a.Path)!).Contains(a.File)) continue;
            throw new LmevException($"{label}: input '{name}' is {a.Path} ({a.Stage} {a.Key}), and its entry was imported without it on purpose " +
                $"({PartialEntry.FileName}: an export with --omit or --manifests-only); import an export that holds it, or rerun `lmev {a.Stage} --force` for that unit");
        }
    }

    private void Publish(string tmp, string entry, bool force, string label, Action<string> log)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        try
        {
            Directory.Move(tmp, entry); // rename(2): atomic
            return;
        }
        catch (IOException) when (Directory.Exists(entry))
        {
            if (!force)
            {
                // Another process published the same key first; its entry has the same content.
                log($"{label}: another process published this entry first; using it");
                return;
            }
        }
        using var trash = OwnedFolder.Create(Path.Combine(Root, TempFolder), $"replaced-{Guid.NewGuid():N}", create: false);
        Directory.Move(entry, trash.Path);
        Directory.Move(tmp, entry);
    }

    /// <summary>Removes temporary folders left by processes that died mid-stage (or mid-gc).</summary>
    public int CleanTemp() => OwnedFolder.RemoveAbandoned(Path.Combine(Root, TempFolder));

    // ---- refs: the last entry each experiment used for each stage, for `status` and `gc` ----

    public sealed record StageRef(string Stage, string Unit, string Key, JsonNode? Params, SortedDictionary<string, InputRecord> Inputs);

    private string RefPath(string experiment, string stage, string unit) =>
        Path.Combine(Root, RefsFolder, experiment, unit == "" ? $"{stage}.json" : $"{stage}@{Uri.EscapeDataString(unit)}.json");

    private void WriteRef(string experiment, IStage stage, Manifest m) => WriteRef(experiment, m);

    /// <summary>Records <paramref name="m"/> as the entry <paramref name="experiment"/> uses for its stage and unit.</summary>
    public void WriteRef(string experiment, Manifest m) =>
        AtomicFile.WriteAllText(RefPath(experiment, m.Stage, m.Unit),
            JsonSerializer.Serialize(new StageRef(m.Stage, m.Unit, m.Key, m.Params, m.Inputs), CanonicalJson.Indented));

    public StageRef? ReadRef(string experiment, string stage, string unit = "")
    {
        var path = RefPath(experiment, stage, unit);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<StageRef>(File.ReadAllText(path), CanonicalJson.Options); }
        catch (JsonException) { return null; }
    }

    public IEnumerable<StageRef> Refs(string experiment)
    {
        var dir = Path.Combine(Root, RefsFolder, experiment);
        if (!Directory.Exists(dir)) yield break;
        foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            StageRef? r = null;
            try { r = JsonSerializer.Deserialize<StageRef>(File.ReadAllText(file), CanonicalJson.Options); }
            catch (JsonException) { }
            if (r is not null) yield return r;
        }
    }

    /// <summary>Every published entry as (stage, key, folder).</summary>
    public IEnumerable<(string Stage, string Key, string Directory)> Entries()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var stageDir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            var stage = Path.GetFileName(stageDir);
            if (stage.StartsWith('.') || stage is RefsFolder or LogsFolder) continue;
            foreach (var entry in Directory.EnumerateDirectories(stageDir).Order(StringComparer.Ordinal))
                yield return (stage, Path.GetFileName(entry), entry);
        }
    }

    /// <summary>Removes one entry: renamed out of its place first, so no reader sees it half gone.</summary>
    public void Remove(string stage, string key)
    {
        var dir = EntryDirectory(stage, key);
        if (!Directory.Exists(dir)) return;
        using var trash = OwnedFolder.Create(Path.Combine(Root, TempFolder), $"removed-{Guid.NewGuid():N}", create: false);
        Directory.Move(dir, trash.Path);
    }

    /// <summary>
    /// A stage reads only inputs whose bytes are those their upstream manifest recorded. Before it runs, every input's size
    /// is checked and those not read as CSV are hashed; a CSV input's SHA-256 is taken as the stage reads it and checked
    /// after it ran, before anything is published (<see cref="ReadWhileHashed"/>). Either way a flipped byte stops it,
    /// naming the entry and what to run.
    /// </summary>
    private static void VerifyInputs(IStage stage, string label)
    {
        var damaged = new List<string>();
        foreach (var (name, input) in stage.Inputs)
        {
            if (!File.Exists(input.Path)) continue; // absent on purpose (a partial import): RequirePresent has said so if it matters
            var size = new FileInfo(input.Path).Length;
            if (size != input.Size)
                damaged.Add($"input '{name}' {input.Path} has {size:N0} bytes, but its entry {input.Stage}/{input.Key} recorded {input.Size:N0}");
            else if (!ReadWhileHashed(input.File) && Problem(name, input, fresh: true) is { } problem)
                damaged.Add(problem);
        }
        if (damaged.Count == 0) return;
        // Every damaged input at once, so that one repair covers them all: the CSV ones of the right size too, read now.
        damaged.AddRange(stage.Inputs.Where(i => ReadWhileHashed(i.Value.File) && File.Exists(i.Value.Path) && new FileInfo(i.Value.Path).Length == i.Value.Size)
            .Select(i => Problem(i.Key, i.Value, fresh: true)).OfType<string>());
        throw Damaged(label, damaged, "nothing was run", null);
    }

    /// <summary>
    /// CSV files, which stages read whole through <see cref="Csv.CsvRowReader"/> and so hash on the way: verified after the stage ran,
    /// at no second pass. Any other input (a model a native runtime reads, an .npy) is hashed before the stage starts, as damage in
    /// it could end the process rather than raise an error.
    /// </summary>
    private static bool ReadWhileHashed(string file) => file.EndsWith(".csv", StringComparison.Ordinal) || file.EndsWith(".csv.gz", StringComparison.Ordinal);

    /// <summary>Each CSV input whose bytes (as the stage read them, or read again) are not those its upstream manifest recorded.</summary>
    private static List<string> DamagedInputs(IStage stage) =>
        stage.Inputs.Where(i => ReadWhileHashed(i.Value.File) && File.Exists(i.Value.Path)).Select(i => Problem(i.Key, i.Value)).OfType<string>().ToList();

    /// <summary>
    /// What is wrong with an input whose SHA-256 is not its manifest's; null when it is. Taken as the stage read it (<see cref="ReadHashes"/>),
    /// or with <paramref name="fresh"/> (before the stage runs) from the file now.
    /// </summary>
    private static string? Problem(string name, Artifact input, bool fresh = false) =>
        (fresh ? Hashing.Sha256OfFile(input.Path) : ReadHashes.Sha256(input.Path)) is var sha && sha != input.Sha256
            ? $"input '{name}' {input.Path} has sha256 {sha}, but its entry {input.Stage}/{input.Key} recorded {input.Sha256}"
            : null;

    private static LmevException Damaged(string label, List<string> damaged, string outcome, Exception? inner) =>
        new($"{label}: {string.Join("; ", damaged)}: the cache {(damaged.Count == 1 ? "entry is" : "entries are")} damaged. " +
            $"Run `lmev verify --repair` (it removes damaged entries) and run again; {outcome}.", inner);

    /// <summary>What <see cref="Gc"/> did: the entries removed, and how many published entries it kept.</summary>
    public sealed record GcOutcome(IReadOnlyList<(string Stage, string Key, long Bytes)> Removed, int Kept);

    /// <summary>Deletes every entry whose (stage, key) is not in <paramref name="keep"/>; says what was removed and how many entries stay.</summary>
    public GcOutcome Gc(IReadOnlySet<(string Stage, string Key)> keep, bool dryRun)
    {
        var removed = new List<(string, string, long)>();
        var kept = 0;
        foreach (var (stage, key, dir) in Entries().ToList())
        {
            if (keep.Contains((stage, key))) { kept++; continue; }
            var bytes = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            if (!dryRun) Remove(stage, key);
            removed.Add((stage, key, bytes));
        }
        if (!dryRun) CleanTemp();
        return new GcOutcome(removed, kept);
    }

    /// <summary>
    /// What gc removes besides entries: the refs of experiments not in <paramref name="experiments"/> (their files are gone),
    /// and the lock files of downloads no process holds (a finished download leaves its empty lock; a partial download's
    /// bytes stay, so that the next attempt resumes). Returns each path with its size and what it was.
    /// </summary>
    public IReadOnlyList<(string Path, long Bytes, string What)> Debris(IReadOnlySet<string> experiments, bool dryRun)
    {
        var debris = new List<(string, long, string)>();
        var refs = Path.Combine(Root, RefsFolder);
        if (Directory.Exists(refs))
            foreach (var dir in Directory.EnumerateDirectories(refs).Order(StringComparer.Ordinal))
            {
                if (experiments.Contains(Path.GetFileName(dir))) continue;
                debris.Add((dir, Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length),
                    "refs of an experiment whose file is gone"));
                if (!dryRun) Directory.Delete(dir, recursive: true);
            }
        var downloads = Path.Combine(Root, DownloadsFolder);
        if (Directory.Exists(downloads))
            foreach (var lockFile in Directory.EnumerateFiles(downloads, "*.part.lock").Order(StringComparer.Ordinal))
            {
                try
                {
                    // Held by a download in progress: the open fails (an advisory flock, as PartialDownload.Claim takes it).
                    // Opened for reading: the flock needs no write access, so a dry run on a read-only cache sees the same.
                    using var held = new FileStream(lockFile, FileMode.Open, FileAccess.Read, FileShare.None);
                    if (!dryRun) File.Delete(lockFile);
                    debris.Add((lockFile, held.Length, "the lock file of a finished download"));
                }
                catch (IOException) { }
            }
        return debris;
    }
}
