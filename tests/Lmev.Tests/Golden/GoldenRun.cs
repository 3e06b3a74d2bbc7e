using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Lmev.Contracts;

namespace Lmev.Tests.Golden;

/// <summary>A file's fields that differ from run to run (or machine to machine) without the stage's meaning changing.</summary>
/// <param name="Fields">JSON paths: <c>a.b</c> a member, <c>a[].b</c> a member of each element of an array.</param>
public sealed record VolatileFields(string Stage, string File, string[] Fields, string Reason)
{
    public string Describe => $"hashed without {string.Join(", ", Fields)}: {Reason}";
}

/// <summary>
/// Runs the golden experiment in-process, Download to Train, in a fresh cache, and hashes what each stage wrote.
/// The experiment is small and fixed (generated demo data; the demo's model kinds; one thread, one run), so that it runs in
/// seconds and writes the same bytes every time on the same platform.
/// </summary>
internal static class GoldenRun
{
    /// <summary>The last step covered: Aggregate and after read only Train's metrics, whose volatile fields they would copy.</summary>
    public const string LastStep = "train";

    public static readonly IReadOnlyList<VolatileFields> Volatile =
    [
        new("train", RunMetrics.FileName, ["epochs[].seconds", "trainSeconds", "wallSeconds", "device", "versions.lmev"],
            "timings (differ run to run); the device, e.g. 'cpu: AMD EPYC' (differs machine to machine); lmev's release number (not the stage's code)"),
    ];

    private static TestProject Project()
    {
        var p = new TestProject(demoRows: 2000, sampleRows: 400, testRows: 60);
        p.Experiment["filter"] = new JsonObject { ["languageColumn"] = "language", ["language"] = "spanish" };
        p.Experiment["runs"] = 1;
        p.Experiment["train"] = new JsonObject { ["epochs"] = 2, ["batchSize"] = 64, ["hidden"] = 16, ["threads"] = 1, ["seed"] = 9 };
        // The demo's kinds, small: random tables with and without normalisation, one fine-tuned, the packaged MiniLM, and the fastText baseline.
        p.Experiment["models"] = new JsonArray(
            new JsonObject { ["name"] = "r16", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3 },
            new JsonObject { ["name"] = "r8-norm", ["kind"] = "random", ["dim"] = 8, ["buckets"] = 2048, ["seed"] = 5, ["normalization"] = true },
            new JsonObject { ["name"] = "r8-ft", ["kind"] = "random", ["dim"] = 8, ["buckets"] = 2048, ["seed"] = 5, ["normalization"] = true, ["mode"] = "fine-tune" },
            new JsonObject { ["name"] = "minilm", ["kind"] = "minilm", ["language"] = "en", ["maxTokens"] = 32 },
            new JsonObject { ["name"] = "fasttext", ["kind"] = "fasttext", ["dim"] = 8, ["buckets"] = 2048, ["epochs"] = 2, ["lr"] = 0.5, ["batchSize"] = 32 });
        p.Save();
        return p;
    }

    public static (SortedDictionary<string, StageOutputs> Stages, SortedDictionary<string, string> Platform) Run()
    {
        using var p = Project();
        var stages = new SortedDictionary<string, StageOutputs>(StringComparer.Ordinal);
        var platform = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var step in ExperimentFlow.StepNames.Take(ExperimentFlow.StepNames.ToList().IndexOf(LastStep) + 1))
        {
            var entries = p.Flow().Run(step).DistinctBy(m => m.Key).ToList(); // two model names may share one entry
            if (entries.Count == 0) continue;
            var versions = entries.Select(m => m.Version).Distinct().ToList();
            Assert.Single(versions); // one stage, one Version
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var m in entries)
            {
                foreach (var file in m.Outputs.Keys)
                    files[m.Unit == "" ? file : $"{m.Unit}/{file}"] = Hash(step, Path.Combine(m.Directory, file));
                foreach (var (library, version) in m.Versions) platform[library] = version;
                platform["cpu"] = m.Host.Cpu;
                platform["os"] = m.Host.Os;
            }
            stages[step] = new StageOutputs(versions[0], files, entries.SelectMany(m => m.Inputs.Values.Select(i => i.Stage)).ToHashSet(StringComparer.Ordinal));
        }
        platform["libtorch"] = LibTorchVersion();
        platform["architecture"] = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        // The widest vector instructions: kernels choose by them, so two CPUs of one model name may round differently.
        platform["simd"] = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "avx512f" : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "avx2"
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "128-bit" : "none";
        platform.Remove("lmev");
        return (stages, platform);
    }

    /// <summary>The file's SHA-256, of its bytes, or for a file with volatile fields of its JSON without them (numbers keep their text).</summary>
    public static string Hash(string stage, string path)
    {
        var rule = Volatile.FirstOrDefault(v => v.Stage == stage && v.File == Path.GetFileName(path));
        if (rule is null)
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        foreach (var field in rule.Fields) Remove(node, field.Split('.'));
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString())));
    }

    private static void Remove(JsonNode? node, ReadOnlySpan<string> path)
    {
        if (node is not JsonObject o || path.IsEmpty) return;
        var name = path[0];
        if (name.EndsWith("[]", StringComparison.Ordinal))
        {
            if (o[name[..^2]] is JsonArray items)
                foreach (var item in items) Remove(item, path[1..]);
        }
        else if (path.Length == 1) o.Remove(name);
        else Remove(o[name], path[1..]);
    }

    /// <summary>The libtorch package the build references (TorchSharp names no libtorch version at run time).</summary>
    private static string LibTorchVersion()
    {
        var props = Path.Combine(SharedData.RepoRoot() ?? ".", "Directory.Packages.props");
        if (!File.Exists(props)) return "?";
        return XDocument.Load(props).Descendants("PackageVersion")
            .FirstOrDefault(e => (string?)e.Attribute("Include") == "libtorch-cpu-linux-x64")?.Attribute("Version")?.Value ?? "?";
    }
}
