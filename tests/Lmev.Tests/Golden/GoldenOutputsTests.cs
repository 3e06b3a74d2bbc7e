using Lmev.Flow;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Golden;

/// <summary>
/// A cache key holds a stage's Version, not its code: a change that alters a stage's outputs without a Version bump
/// serves old entries as new. The golden experiment's outputs, hashed per stage and Version in stage-outputs.json,
/// catch it. <c>LMEV_GOLDEN=update</c> rewrites the table instead (in the commit that bumps the Version).
/// </summary>
[Collection(TorchThreadsCollection.Name)] // Train compared bit for bit: one libtorch thread, no other training beside it
public sealed class GoldenOutputsTests(ITestOutputHelper _output)
{
    private static string TablePath => Path.Combine(SharedData.RepoRoot() ?? throw new InvalidOperationException($"no lmev.slnx above {AppContext.BaseDirectory}"),
        "tests", "Lmev.Tests", "Golden", "stage-outputs.json");

    [Fact]
    public void Every_stage_writes_the_bytes_the_golden_table_records_for_its_version()
    {
        var (stages, platform) = GoldenRun.Run();
        var normalized = new SortedDictionary<string, string>(GoldenRun.Volatile.ToDictionary(v => $"{v.Stage}/{v.File}", v => v.Describe), StringComparer.Ordinal);
        if (Environment.GetEnvironmentVariable("LMEV_GOLDEN") == "update")
        {
            new GoldenTable(stages, platform, normalized).Write(TablePath);
            return;
        }
        Assert.True(File.Exists(TablePath), $"{TablePath} is missing: make it with `{GoldenTable.UpdateCommand}`");
        var table = GoldenTable.Read(TablePath);
        var notes = new List<string>();
        var problems = table.Compare(stages, platform, StageSources.FileOf, notes);
        foreach (var note in notes) _output.WriteLine($"not enforced on this platform: {note}");
        if (!table.Normalized.SequenceEqual(normalized))
            problems.Add($"the table's \"normalized\" section is not the test's GoldenRun.Volatile: regenerate the table with `{GoldenTable.UpdateCommand}`");
        Assert.True(problems.Count == 0, $"{problems.Count} golden output problem(s) ({TablePath}):\n" + string.Join("\n", problems.Select(p => "- " + p)));
    }

    [Fact]
    public void Every_step_has_a_stage_type_whose_version_is_declared_in_a_file_of_the_repository()
    {
        var root = SharedData.RepoRoot()!;
        foreach (var step in ExperimentFlow.StepNames)
        {
            var file = StageSources.FileOf(step);
            Assert.True(File.Exists(Path.Combine(root, file)), $"step '{step}': {file}");
            Assert.Contains("Version =>", File.ReadAllText(Path.Combine(root, file)));
        }
        Assert.Equal(Path.Combine("src", "Stages", "03-Sample", "SampleStage.cs"), StageSources.FileOf("sample"));
    }

    private static GoldenTable Table(params (string Stage, int Version, string File, string Sha)[] rows) => new(
        new(rows.GroupBy(r => r.Stage).ToDictionary(g => g.Key, g => new StageOutputs(g.First().Version, new(g.ToDictionary(r => r.File, r => r.Sha), StringComparer.Ordinal))), StringComparer.Ordinal),
        new(StringComparer.Ordinal) { ["cpu"] = "CPU A", ["libtorch"] = "2.10.0" }, new(StringComparer.Ordinal));

    private static List<string> Compare(GoldenTable table, GoldenTable run, List<string>? notes = null) =>
        table.Compare(run.Stages, new SortedDictionary<string, string> { ["cpu"] = "CPU B", ["libtorch"] = "2.10.0" }, s => $"src/{s}.cs", notes ?? []);

    [Fact]
    public void Changed_bytes_under_the_same_version_name_the_stage_its_file_and_the_bump()
    {
        var table = Table(("sample", 1, "sample.csv", "aaaa"), ("split", 1, "train.csv", "bbbb"), ("split", 1, "test.csv", "cccc"));
        var run = Table(("sample", 1, "sample.csv", "dddd"), ("split", 1, "train.csv", "bbbb"), ("split", 1, "test.csv", "cccc"));
        var problem = Assert.Single(Compare(table, run));
        Assert.Equal("stage 'sample' (src/sample.cs, Version 1) now writes other bytes: sample.csv sha256 dddd (table: aaaa). Cached entries made by the old code " +
                     $"would be served as if new: bump Version to 2 and regenerate the table with `{GoldenTable.UpdateCommand}` in the same commit.", problem);
    }

    [Fact]
    public void Every_disagreement_is_reported_at_once_in_flow_order()
    {
        var table = Table(("download", 1, "source.csv", "a"), ("sample", 1, "sample.csv", "b"), ("split", 1, "train.csv", "c"), ("train", 2, "r/run-1/model.dat", "d"),
            ("plot", 4, "x.png", "p"));
        var run = Table(("download", 1, "source.csv", "a"), ("sample", 2, "sample.csv", "B"), ("split", 1, "train.csv", "C"), ("split", 1, "val.csv", "v"),
            ("train", 2, "r/run-1/model.dat", "D"), ("train", 2, "n/run-1/model.dat", "n"), ("embed", 1, "r/train.npy", "e"));
        var notes = new List<string>();
        var problems = Compare(table, run, notes);
        Assert.Equal(5, problems.Count);
        Assert.StartsWith("stage 'sample' (src/sample.cs) is Version 2, the table records 1: regenerate the table", problems[0]);
        Assert.StartsWith("stage 'split' (src/split.cs, Version 1) now writes other bytes: train.csv sha256 C (table: c); val.csv is new", problems[1]);
        Assert.StartsWith("stage 'embed' (src/embed.cs, Version 1) is not in the table", problems[2]);
        // A unit new to the table is the golden experiment's change, not the stage's: no bump asked for it.
        Assert.StartsWith("stage 'train' (src/train.cs): the golden run's units differ from the table's; not in the table: n/run-1 (the golden experiment", problems[3]);
        Assert.DoesNotContain("bump", problems[3]);
        // Train's bytes come from libtorch's float code, and this run is on another CPU: told, not failed.
        var note = Assert.Single(notes);
        Assert.StartsWith("stage 'train' (src/train.cs, Version 2) now writes other bytes: r/run-1/model.dat sha256 D (table: d). ", note);
        Assert.Contains("libtorch's float code: a different CPU or library version can also change them; the table was made on cpu CPU A, libtorch 2.10.0, " +
                        "this run is on cpu CPU B, libtorch 2.10.0", note);
        Assert.StartsWith("stage 'plot' is in the table (Version 4) but the golden run wrote nothing for it", problems[4]);
        // On the table's own platform the same change fails.
        Assert.Contains(table.Compare(run.Stages, table.Platform, s => $"src/{s}.cs"), p => p.StartsWith("stage 'train' (src/train.cs, Version 2) now writes other bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stage_downstream_of_a_changed_one_is_told_its_change_is_expected_rather_to_bump()
    {
        var table = Table(("sample", 1, "sample.csv", "a"), ("split", 1, "train.csv", "b"), ("model", 1, "r/model.onnx", "m"), ("embed", 1, "r/train.npy", "e"));
        var run = new Dictionary<string, StageOutputs>
        {
            ["sample"] = new(1, new() { ["sample.csv"] = "A" }),
            ["split"] = new(1, new() { ["train.csv"] = "B" }, new HashSet<string> { "sample" }),
            ["model"] = new(1, new() { ["r/model.onnx"] = "M" }),
            ["embed"] = new(1, new() { ["r/train.npy"] = "E" }, new HashSet<string> { "split", "model" }),
        };
        var problems = table.Compare(run, table.Platform, s => $"src/{s}.cs");
        Assert.Equal(4, problems.Count);
        Assert.Contains("now writes other bytes: sample.csv sha256 A (table: a). Cached entries made by the old code would be served as if new: bump Version to 2", problems[0]);
        Assert.Equal("stage 'split' (src/split.cs, Version 1) writes other bytes too (1 of 1 files, e.g. train.csv sha256 B (table: b)), as expected: its inputs " +
                     "come (directly or through other stages) from 'sample', which changed. Regenerate the table in the same commit as the change to 'sample' (bump 'split' too only if its own code changed).", problems[1]);
        Assert.Contains("model.onnx sha256 M (table: m). Cached entries made by the old code would be served as if new: bump Version to 2", problems[2]);
        // Embed reads split (moved by sample) and model (changed on its own): the first cause in flow order is named.
        Assert.Contains("as expected: its inputs come (directly or through other stages) from 'sample', which changed", problems[3]);
    }

    [Fact]
    public void A_regenerated_table_reads_back_as_written_and_agrees_with_itself()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "t.json");
        var table = Table(("split", 1, "val.csv", "v"), ("download", 1, "source.csv", "a"), ("split", 1, "train.csv", "c"));
        table.Write(path);
        var text = File.ReadAllText(path);
        Assert.StartsWith("// Golden outputs", text);
        Assert.Contains("\n        \"train.csv\": \"c\",\n        \"val.csv\": \"v\"\n", text);
        Assert.True(text.IndexOf("\"download\"", StringComparison.Ordinal) < text.IndexOf("\"split\"", StringComparison.Ordinal), "flow order");
        var back = GoldenTable.Read(path);
        Assert.Empty(back.Compare(table.Stages, table.Platform, s => s));
        Assert.Equal(table.Platform, back.Platform);
    }
}
