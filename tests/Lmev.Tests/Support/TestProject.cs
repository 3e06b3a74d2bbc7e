using Lmev.Flow;
using System.Text.Json.Nodes;
using Lmev.Pipeline;

namespace Lmev.Tests.Support;

/// <summary>
/// A throw-away lmev project folder: experiments/, data.lock.json and a cache, with a small
/// generated demo experiment that tests can edit (e.g. change sample.rows) between runs.
/// </summary>
public sealed class TestProject : IDisposable
{
    private readonly TempDir _dir = new();
    public readonly List<string> Log = [];

    public TestProject(long demoRows = 4000, long sampleRows = 1500, int testRows = 200)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Root, "experiments"));
        File.WriteAllText(System.IO.Path.Combine(Root, DataLock.FileName), """{ "sources": {} }""");
        Experiment = new JsonObject
        {
            ["description"] = "test",
            ["dataset"] = new JsonObject { ["generate"] = new JsonObject { ["rows"] = demoRows, ["categories"] = 100, ["seed"] = 7 } },
            ["filter"] = new JsonObject(),
            ["sample"] = new JsonObject { ["rows"] = sampleRows, ["seed"] = 3 },
            ["split"] = new JsonObject { ["testRows"] = testRows, ["validationFraction"] = 0.05, ["seed"] = 3 },
            ["train"] = new JsonObject { ["epochs"] = 10 },
            ["runs"] = 4,
        };
        Save();
    }

    public string Root => _dir.Path;

    public string CacheRoot => System.IO.Path.Combine(Root, "cache");

    public JsonObject Experiment { get; }

    /// <summary>Makes the experiment read its rows from <paramref name="url"/>, pinned in data.lock.json as <paramref name="source"/> with no hash yet.</summary>
    public void PinDataset(string url, string format, string source = "mine")
    {
        File.WriteAllText(System.IO.Path.Combine(Root, DataLock.FileName), new JsonObject
        {
            ["sources"] = new JsonObject { [source] = new JsonObject { ["url"] = url, ["format"] = format } },
        }.ToJsonString());
        Experiment["dataset"] = new JsonObject { ["source"] = source };
        Save();
    }

    public void Save(string name = "demo") =>
        File.WriteAllText(Lmev.Flow.Experiment.FilePath(Root, name), Experiment.ToJsonString());

    public ExperimentFlow Flow(string name = "demo", bool force = false, bool strict = false, bool locked = false, string[]? models = null, int[]? runs = null) =>
        new(Lmev.Flow.Experiment.Load(Root, name), new FlowOptions(Root, CacheRoot, Log.Add, force, locked, strict, models, runs));

    /// <summary>Adds two quick models (one frozen, one fine-tuned) and small training settings, for tests that train.</summary>
    public void AddQuickModels(int epochs = 1)
    {
        Experiment["train"] = new JsonObject { ["epochs"] = epochs, ["batchSize"] = 128, ["hidden"] = 16, ["threads"] = 1, ["seed"] = 9 };
        Experiment["models"] = new JsonArray(
            new JsonObject { ["name"] = "r16", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3 },
            new JsonObject { ["name"] = "r16-ft", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3, ["mode"] = "fine-tune" });
        Save();
    }

    /// <summary>The units that ran (rather than being cached) in the log since <paramref name="from"/>, as "step [unit]".</summary>
    public List<string> Ran(int from) =>
        Log.Skip(from).Where(l => l.Contains(": running (")).Select(l => l[..l.IndexOf(": running (", StringComparison.Ordinal)]).Order(StringComparer.Ordinal).ToList();

    /// <summary>Runs the steps in order up to <paramref name="last"/> and returns which ones ran (rather than being cached).</summary>
    public List<string> RunAll(string name = "demo", string last = "split")
    {
        var ran = new List<string>();
        foreach (var step in ExperimentFlow.StepNames.Take(ExperimentFlow.StepNames.ToList().IndexOf(last) + 1))
        {
            var before = Log.Count;
            Flow(name).Run(step);
            if (Log.Skip(before).Any(l => l.StartsWith($"{step}: running", StringComparison.Ordinal)
                    || l.StartsWith($"{step} [", StringComparison.Ordinal) && l.Contains("]: running (", StringComparison.Ordinal))) ran.Add(step);
        }
        return ran;
    }

    public void Dispose() => _dir.Dispose();
}
