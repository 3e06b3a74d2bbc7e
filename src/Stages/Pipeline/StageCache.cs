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
    private const string TempFolder = ".tmp";
    private const string RefsFolder = "refs";
    private const string OwnerFile = ".owner";

    public StageCache(string root)
    {
        Root = Path.GetFullPath(root);
        Hashes = new FileHashIndex(Path.Combine(Root, "hash-index.json"));
    }

    public string Root { get; }

    public FileHashIndex Hashes { get; }

    public static string Key(IStage stage)
    {
        var identity = new JsonObject
        {
            ["stage"] = stage.Name,
            ["version"] = stage.Version,
            ["params"] = CanonicalJson.ToNode(stage.Params),
            ["inputs"] = new JsonObject(stage.Inputs.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Value.Sha256))),
        };
        return Hashing.Sha256Hex(CanonicalJson.Sort(identity)!.ToJsonString())[..16];
    }

    public string EntryDirectory(string stage, string key) => Path.Combine(Root, stage, key);

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
        var label = stage.Unit == "" ? stage.Name : $"{stage.Name} [{stage.Unit}]";
        var entry = EntryDirectory(stage.Name, key);
        CleanTemp(); // folders left by processes that died mid-stage
        if (!force && Directory.Exists(entry))
        {
            var cached = Manifest.Read(entry);
            log($"{label}: cached ({key})");
            WriteRef(experiment, stage, cached);
            return cached;
        }

        var tmp = Path.Combine(Root, TempFolder, $"{stage.Name}-{key}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        // While this process lives it holds an exclusive lock on .owner; CleanTemp skips such folders.
        var owner = new FileStream(Path.Combine(tmp, OwnerFile), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        try
        {
            log($"{label}: running ({key})");
            var context = new StageContext(tmp, experiment, stage.Inputs, m => log($"{label}: {m}"));
            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            stage.Run(context);
            clock.Stop();
            owner.Dispose();
            File.Delete(Path.Combine(tmp, OwnerFile));

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
            File.WriteAllText(Path.Combine(tmp, Manifest.FileName), manifest.ToJson());

            Publish(tmp, entry, force, label, log);
            var published = Manifest.Read(entry);
            log($"{label}: done in {clock.Elapsed.TotalSeconds:F1} s");
            WriteRef(experiment, stage, published);
            return published;
        }
        finally
        {
            owner.Dispose();
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
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
        var trash = Path.Combine(Root, TempFolder, $"replaced-{Guid.NewGuid():N}");
        Directory.Move(entry, trash);
        Directory.Move(tmp, entry);
        Directory.Delete(trash, recursive: true);
    }

    /// <summary>Removes temporary folders left by processes that died mid-stage.</summary>
    public int CleanTemp()
    {
        var dir = Path.Combine(Root, TempFolder);
        if (!Directory.Exists(dir)) return 0;
        var removed = 0;
        foreach (var tmp in Directory.EnumerateDirectories(dir))
        {
            var ownerPath = Path.Combine(tmp, OwnerFile);
            try
            {
                if (File.Exists(ownerPath))
                {
                    // Succeeds only when the owning process is gone (the kernel dropped its lock).
                    using (new FileStream(ownerPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                }
                else if (DateTime.UtcNow - Directory.GetCreationTimeUtc(tmp) < TimeSpan.FromMinutes(1))
                {
                    continue; // being created right now, or being published
                }
                Directory.Delete(tmp, recursive: true);
                removed++;
            }
            catch (IOException) { } // still owned by a live process
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    // ---- refs: the last entry each experiment used for each stage, for `status` and `gc` ----

    public sealed record StageRef(string Stage, string Unit, string Key, JsonNode? Params, SortedDictionary<string, InputRecord> Inputs);

    private string RefPath(string experiment, string stage, string unit) =>
        Path.Combine(Root, RefsFolder, experiment, unit == "" ? $"{stage}.json" : $"{stage}@{Uri.EscapeDataString(unit)}.json");

    private void WriteRef(string experiment, IStage stage, Manifest m) =>
        AtomicFile.WriteAllText(RefPath(experiment, stage.Name, stage.Unit),
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
            if (stage is TempFolder or RefsFolder) continue;
            foreach (var entry in Directory.EnumerateDirectories(stageDir).Order(StringComparer.Ordinal))
                yield return (stage, Path.GetFileName(entry), entry);
        }
    }

    /// <summary>Deletes every entry whose (stage, key) is not in <paramref name="keep"/>; returns what was removed.</summary>
    public IReadOnlyList<(string Stage, string Key, long Bytes)> Gc(IReadOnlySet<(string Stage, string Key)> keep, bool dryRun)
    {
        var removed = new List<(string, string, long)>();
        foreach (var (stage, key, dir) in Entries().ToList())
        {
            if (keep.Contains((stage, key))) continue;
            var bytes = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            if (!dryRun)
            {
                // Rename first so a concurrent reader never sees a half-deleted entry.
                var trash = Path.Combine(Root, TempFolder, $"gc-{Guid.NewGuid():N}");
                Directory.CreateDirectory(Path.Combine(Root, TempFolder));
                Directory.Move(dir, trash);
                Directory.Delete(trash, recursive: true);
            }
            removed.Add((stage, key, bytes));
        }
        CleanTemp();
        return removed;
    }
}
