using System.Text.Json;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Faults;

/// <summary>What the fault tests share: a tiny experiment, and what they check of a cache after a fault.</summary>
internal static class FaultSupport
{
    /// <summary>
    /// A tiny experiment that runs every step in about a second a process: 2,000 generated rows, 800 sampled,
    /// 20 categories, two quick models (one frozen, one fine-tuned), 2 runs of 1 epoch each.
    /// </summary>
    public static TestProject TinyProject()
    {
        var project = new TestProject(demoRows: 2000, sampleRows: 800, testRows: 100);
        project.Experiment["dataset"]!["generate"]!["categories"] = 20;
        project.Experiment["runs"] = 2;
        project.AddQuickModels(epochs: 1); // saves
        return project;
    }

    /// <summary>Train's metrics.json without what it measures of time (per-epoch seconds, train and wall seconds): the rest is deterministic.</summary>
    public static string MetricsWithoutDurations(string json)
    {
        var metrics = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        metrics.Remove("trainSeconds");
        metrics.Remove("wallSeconds");
        foreach (var epoch in metrics["epochs"]!.AsArray()) epoch!.AsObject().Remove("seconds");
        return metrics.ToJsonString();
    }

    /// <summary>
    /// Every way the cache is not whole: an entry folder without a readable manifest, a manifest whose key is not its
    /// folder's, files other than the manifest's outputs, an output whose bytes differ from the manifest
    /// (<see cref="CacheVerification.Verify"/>), a ref file that does not parse. Empty when the cache is whole.
    /// </summary>
    public static List<string> Problems(string cacheRoot)
    {
        var problems = new List<string>();
        foreach (var (stage, key, dir) in new StageCache(cacheRoot).Entries())
        {
            var name = $"{stage}/{key}";
            Manifest m;
            try { m = Manifest.Read(dir); }
            catch (Exception e) when (e is LmevException or IOException or JsonException) { problems.Add($"{name}: no readable manifest ({e.Message})"); continue; }
            if (m.Key != key) problems.Add($"{name}: manifest key {m.Key}");
            var files = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            var expected = m.Outputs.Keys.Append(Manifest.FileName).Order(StringComparer.Ordinal);
            if (!files.SequenceEqual(expected)) problems.Add($"{name}: holds [{string.Join(", ", files)}], the manifest lists [{string.Join(", ", expected)}]");
            if (CacheVerification.Verify(m) is { } damaged) problems.Add($"{name}: {string.Join("; ", damaged.Problems)}");
        }
        var refs = Path.Combine(cacheRoot, StageCache.RefsFolder);
        if (Directory.Exists(refs))
            foreach (var file in Directory.EnumerateFiles(refs, "*", SearchOption.AllDirectories))
            {
                try { JsonSerializer.Deserialize<StageCache.StageRef>(File.ReadAllText(file), CanonicalJson.Options); }
                catch (JsonException e) { problems.Add($"{file}: a ref that does not parse ({e.Message})"); }
            }
        return problems;
    }

    /// <summary>The entries whose folder holds exactly their manifest's outputs with matching hashes, as "stage/key".</summary>
    public static HashSet<string> WholeEntries(string cacheRoot)
    {
        var whole = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (stage, key, dir) in new StageCache(cacheRoot).Entries())
        {
            try
            {
                var m = Manifest.Read(dir);
                var files = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal);
                if (m.Key == key && files.SequenceEqual(m.Outputs.Keys.Append(Manifest.FileName).Order(StringComparer.Ordinal)) && CacheVerification.Verify(m) is null)
                    whole.Add($"{stage}/{key}");
            }
            catch (Exception e) when (e is LmevException or IOException or JsonException) { }
        }
        return whole;
    }

    /// <summary>Every file under <paramref name="folder"/> as (relative path → sha256); empty when the folder is absent.</summary>
    public static SortedDictionary<string, string> Tree(string folder)
    {
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder)) return tree;
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
            tree[Path.GetRelativePath(folder, entry)] = File.Exists(entry) ? Hashing.Sha256OfFile(entry) : "(folder)";
        return tree;
    }
}
