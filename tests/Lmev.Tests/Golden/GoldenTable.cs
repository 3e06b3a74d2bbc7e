using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lmev.Flow;

namespace Lmev.Tests.Golden;

/// <summary>What one stage wrote for the golden experiment: its Version and each output's SHA-256, by "unit/file".</summary>
/// <param name="Reads">The stages whose outputs it read (from its manifests' inputs); known for a run, not kept in the table.</param>
public sealed record StageOutputs(int Version, SortedDictionary<string, string> Files, IReadOnlySet<string>? Reads = null);

/// <summary>
/// tests/Lmev.Tests/Golden/stage-outputs.json: per stage, the Version that wrote the golden experiment's outputs
/// and their SHA-256; the platform it was made on; and which files are hashed without their volatile fields.
/// </summary>
public sealed record GoldenTable(
    SortedDictionary<string, StageOutputs> Stages,
    SortedDictionary<string, string> Platform,
    SortedDictionary<string, string> Normalized)
{
    public const string UpdateCommand = "LMEV_GOLDEN=update dotnet test tests/Lmev.Tests --filter GoldenOutputs";

    /// <summary>Stages whose bytes come from float code in a native library: a CPU or library change can move them too.</summary>
    public static readonly IReadOnlyDictionary<string, string> FloatStages = new Dictionary<string, string>
    {
        ["embed"] = "ONNX Runtime",
        ["train"] = "libtorch",
    };

    private static readonly string[] Header =
    [
        "// Golden outputs (tests/Lmev.Tests/Golden/GoldenOutputsTests.cs): the SHA-256 of every file the stages write for a small",
        "// fixed experiment, per stage and the stage's Version. A cache key holds a stage's Version, not its code: a change that",
        "// alters a stage's outputs without a Version bump would serve old cached entries as new, and this table catches it.",
        "// Rule: change a stage's outputs => bump its Version => regenerate this table, in the same commit:",
        $"//   {UpdateCommand}",
        "// (rewrites this file and passes; review the diff: only the bumped stages and those downstream of them should move).",
        "// \"normalized\": files hashed with their volatile fields removed (why in each line); manifest.json is never hashed.",
        "// \"platform\": where the table was made; embed's and train's bytes may also differ on another CPU or library version.",
    ];

    public static GoldenTable Read(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        var stages = new SortedDictionary<string, StageOutputs>(StringComparer.Ordinal);
        foreach (var (name, node) in root["stages"]!.AsObject())
        {
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (file, sha) in node!["files"]!.AsObject()) files[file] = (string)sha!;
            stages[name] = new StageOutputs((int)node["version"]!, files);
        }
        return new GoldenTable(stages, Strings(root["platform"]), Strings(root["normalized"]));
    }

    private static SortedDictionary<string, string> Strings(JsonNode? node) =>
        new((node?.AsObject() ?? []).ToDictionary(p => p.Key, p => (string)p.Value!), StringComparer.Ordinal);

    /// <summary>Sorted keys, one line per file, two-space indent, LF, a final newline: a regenerated table diffs line by line.</summary>
    public void Write(string path)
    {
        var stages = new JsonObject();
        foreach (var (name, outputs) in Stages.OrderBy(s => Order(s.Key)).ThenBy(s => s.Key, StringComparer.Ordinal))
            stages[name] = new JsonObject { ["version"] = outputs.Version, ["files"] = Object(outputs.Files) };
        var root = new JsonObject { ["platform"] = Object(Platform), ["normalized"] = Object(Normalized), ["stages"] = stages };
        var json = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        File.WriteAllText(path, string.Join("\n", Header) + "\n" + json.ReplaceLineEndings("\n") + "\n", new UTF8Encoding(false));
    }

    private static JsonObject Object(SortedDictionary<string, string> values) => new(values.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    /// <summary>A step's place in the flow (unknown names last), so that messages and the table read in flow order.</summary>
    private static int Order(string stage) =>
        ExperimentFlow.StepNames.ToList().IndexOf(stage) is var i and >= 0 ? i : int.MaxValue;

    /// <summary>
    /// Every disagreement between this table (what the code wrote when it was made) and <paramref name="run"/> (what the code
    /// writes now), one message per stage, in flow order. <paramref name="sourceOf"/> names the file that declares a stage's Version.
    /// </summary>
    public List<string> Compare(IReadOnlyDictionary<string, StageOutputs> run, IReadOnlyDictionary<string, string> platform, Func<string, string> sourceOf) =>
        Compare(run, platform, sourceOf, []);

    /// <inheritdoc cref="Compare(IReadOnlyDictionary{string, StageOutputs}, IReadOnlyDictionary{string, string}, Func{string, string})"/>
    /// <param name="notes">Receives what is not a failure: a float stage (<see cref="FloatStages"/>) whose bytes differ on a platform other than the table's.</param>
    public List<string> Compare(IReadOnlyDictionary<string, StageOutputs> run, IReadOnlyDictionary<string, string> platform, Func<string, string> sourceOf, List<string> notes)
    {
        var problems = new List<string>();
        // Stages found to differ so far (flow order): a stage that reads one of them gets other inputs, so other bytes are expected of it.
        // Each with the stage whose change it follows from (itself when it changed on its own).
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        // The first stage in flow order, among those whose change made others move, that this stage's inputs come from (directly or not).
        string? MovedUpstream(string stage)
        {
            IEnumerable<string> Reads(string s) => run.TryGetValue(s, out var o) && o.Reads is { } r ? r : [];
            var upstream = new HashSet<string>();
            var todo = new Stack<string>(Reads(stage));
            while (todo.TryPop(out var s))
                if (upstream.Add(s)) foreach (var r in Reads(s)) todo.Push(r);
            return upstream.Where(moved.ContainsKey).Select(s => moved[s]).OrderBy(Order).FirstOrDefault();
        }
        foreach (var stage in Stages.Keys.Union(run.Keys).OrderBy(Order).ThenBy(s => s, StringComparer.Ordinal))
        {
            var count = problems.Count;
            CompareStage(stage);
            if (problems.Count > count) moved[stage] = MovedUpstream(stage) ?? stage;
        }
        return problems;

        void CompareStage(string stage)
        {
            var regenerate = $"regenerate the table with `{UpdateCommand}`";
            if (!run.TryGetValue(stage, out var now))
            {
                problems.Add($"stage '{stage}' is in the table (Version {Stages[stage].Version}) but the golden run wrote nothing for it " +
                             $"(removed from the flow, or from the golden experiment?): {regenerate}");
                return;
            }
            var source = sourceOf(stage);
            if (!Stages.TryGetValue(stage, out var was))
            {
                problems.Add($"stage '{stage}' ({source}, Version {now.Version}) is not in the table: {regenerate} and commit it");
                return;
            }
            if (now.Version != was.Version)
            {
                problems.Add($"stage '{stage}' ({source}) is Version {now.Version}, the table records {was.Version}: {regenerate} in the same commit as the bump");
                return;
            }
            // A unit (a model, a run) that only one side has: the golden experiment changed, not the stage.
            var (unitsWas, unitsNow) = (was.Files.Keys.Select(UnitOf).ToHashSet(), now.Files.Keys.Select(UnitOf).ToHashSet());
            var unitsAdded = unitsNow.Except(unitsWas).Order(StringComparer.Ordinal).ToList();
            var unitsGone = unitsWas.Except(unitsNow).Order(StringComparer.Ordinal).ToList();
            if (unitsAdded.Count + unitsGone.Count > 0)
                problems.Add($"stage '{stage}' ({source}): the golden run's units differ from the table's" +
                             (unitsAdded.Count > 0 ? $"; not in the table: {string.Join(", ", unitsAdded)}" : "") +
                             (unitsGone.Count > 0 ? $"; in the table but not run: {string.Join(", ", unitsGone)}" : "") +
                             $" (the golden experiment in GoldenRun.cs changed?): {regenerate}");
            var changes = new List<string>();
            foreach (var file in was.Files.Keys.Union(now.Files.Keys).Order(StringComparer.Ordinal))
            {
                if (unitsAdded.Contains(UnitOf(file)) || unitsGone.Contains(UnitOf(file))) continue;
                var (before, after) = (was.Files.GetValueOrDefault(file), now.Files.GetValueOrDefault(file));
                if (before == after) continue;
                changes.Add(before is null ? $"{file} is new (sha256 {Short(after!)}; not in the table)"
                    : after is null ? $"{file} is no longer written (table: sha256 {Short(before)})"
                    : $"{file} sha256 {Short(after)} (table: {Short(before)})");
            }
            if (changes.Count == 0) return;
            if (MovedUpstream(stage) is { } origin)
            {
                problems.Add($"stage '{stage}' ({source}, Version {now.Version}) writes other bytes too ({changes.Count} of {now.Files.Count} files, e.g. {changes[0]}), " +
                             $"as expected: its inputs come (directly or through other stages) from '{origin}', which changed. " +
                             $"Regenerate the table in the same commit as the change to '{origin}' (bump '{stage}' too only if its own code changed).");
                return;
            }
            var message = $"stage '{stage}' ({source}, Version {now.Version}) now writes other bytes: {string.Join("; ", changes)}. " +
                          $"Cached entries made by the old code would be served as if new: bump Version to {now.Version + 1} and {regenerate} in the same commit.";
            if (FloatStages.TryGetValue(stage, out var library))
            {
                message += $" (These bytes come from {library}'s float code: a different CPU or library version can also change them; " +
                           $"the table was made on {Describe(Platform)}, this run is on {Describe(platform)}. If only that differs, regenerate without a bump.)";
                // On another platform a float stage's bytes say nothing certain about its code: told, not failed (CI may run on another CPU).
                if (Describe(Platform) != Describe(platform)) { notes.Add(message); return; }
            }
            problems.Add(message);
        }
    }

    /// <summary>"r16/run-1" of "r16/run-1/model.dat"; "" for a single-unit stage's file.</summary>
    private static string UnitOf(string file) => file.LastIndexOf('/') is var i and >= 0 ? file[..i] : "";

    private static string Short(string sha) => sha.Length > 16 ? sha[..16] + "…" : sha;

    private static string Describe(IReadOnlyDictionary<string, string> platform) =>
        string.Join(", ", new[] { "cpu", "simd", "onnxruntime", "libtorch", "torchsharp", "dotnet" }
            .Select(k => platform.TryGetValue(k, out var v) ? $"{k} {v}" : null).OfType<string>());
}
