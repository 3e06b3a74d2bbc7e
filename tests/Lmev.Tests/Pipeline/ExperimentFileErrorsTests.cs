using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>Mistakes in experiments/*.json and data.lock.json are said in the file's terms, all at once, when the file is read.</summary>
public sealed class ExperimentFileErrorsTests
{
    private static LmevException Load(TestProject p) => Assert.Throws<LmevException>(() => p.Flow());

    [Theory]
    [InlineData("../experiments/demo")]
    [InlineData("experiments/demo")]
    [InlineData("..")]
    [InlineData("/tmp/demo")]
    public void An_experiment_name_that_is_a_path_is_refused_before_anything_is_written(string name)
    {
        using var p = new TestProject();
        p.Save();
        var e = Assert.Throws<LmevException>(() => p.Flow(name));
        Assert.Contains($"--experiment '{name}': expected the name of a file in experiments/", e.Message);
        Assert.False(Directory.Exists(p.CacheRoot));
    }

    [Fact]
    public void An_unknown_key_names_the_keys_allowed_there_and_the_closest()
    {
        using var p = new TestProject();
        p.Experiment["sample"] = JsonNode.Parse("""{ "row": 1500, "rows": 1500, "seed": 3 }""");
        p.Save();
        var e = Load(p);
        Assert.Contains("sample.row: unknown key (did you mean 'rows'?); keys allowed in sample: rows, seed", e.Message);
        Assert.DoesNotContain("Lmev.", e.Message); // no .NET type names
    }

    [Fact]
    public void A_mistyped_required_key_is_said_once_and_hides_no_other_mistake()
    {
        using var p = new TestProject();
        p.Experiment["sample"] = JsonNode.Parse("""{ "row": 1500, "seed": 3 }""");
        p.Experiment["train"]!["learningRate"] = -1;
        p.Save();
        var e = Load(p);
        Assert.Contains("2 problems", e.Message);
        Assert.Contains("sample.row: unknown key (did you mean 'rows'? that key is required and missing)", e.Message);
        Assert.Contains("train.learningRate: expected a positive number, found -1", e.Message);
        Assert.DoesNotContain("sample.rows: missing", e.Message);
    }

    [Fact]
    public void A_sample_larger_than_the_reservoir_can_hold_is_refused_when_the_file_is_read()
    {
        using var p = new TestProject();
        p.Experiment["sample"]!["rows"] = 1_000_000_000_000_000_000;
        p.Save();
        Assert.Contains("sample.rows: expected a positive number of rows, at most 2,147,483,591, found 1000000000000000000", Load(p).Message);
        var (code, said) = LmevProcess.Run(p, "check", "--experiment", "demo");
        Assert.Equal(1, code);
        Assert.Contains("sample.rows: expected a positive number of rows, at most", said);
    }

    [Fact]
    public void A_value_of_the_wrong_type_says_what_was_expected_and_found()
    {
        using var p = new TestProject();
        p.Experiment["models"] = JsonNode.Parse("""[ { "name": "r", "kind": "random", "dim": "50" } ]""");
        p.Save();
        var e = Load(p);
        Assert.Contains("models[0].dim: expected a whole number, found the string \"50\"", e.Message);
        Assert.DoesNotContain("could not be converted", e.Message);
    }

    [Fact]
    public void A_negative_learning_rate_is_refused_when_the_file_is_read_not_in_training()
    {
        using var p = new TestProject();
        p.Experiment["train"]!["learningRate"] = -1;
        p.Save();
        Assert.Contains("train.learningRate: expected a positive number, found -1", Load(p).Message);
    }

    [Fact]
    public void Three_mistakes_are_reported_together_with_their_lines()
    {
        using var p = new TestProject();
        p.Experiment["train"] = JsonNode.Parse("""{ "epochs": 2, "patiense": 3, "learningRate": -1 }""");
        p.Experiment["models"] = JsonNode.Parse("""[ { "name": "r", "kind": "random", "dim": "50" } ]""");
        File.WriteAllText(Lmev.Flow.Experiment.FilePath(p.Root, "demo"), p.Experiment.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var e = Load(p);
        Assert.Contains("3 problems", e.Message);
        Assert.Matches(@"line \d+: train\.patiense: unknown key \(did you mean 'patience'\?\)", e.Message);
        Assert.Matches(@"line \d+: train\.learningRate: expected a positive number, found -1", e.Message);
        Assert.Matches(@"line \d+: models\[0\]\.dim: expected a whole number, found the string ""50""", e.Message);
    }

    [Fact]
    public void A_lock_entry_with_an_unknown_format_is_refused_when_the_lock_is_read()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, DataLock.FileName);
        File.WriteAllText(path, """{ "sources": { "mine": { "url": "mine.xlsx", "format": "xlsx" }, "other": { "url": "a.csv", "format": "cvs", "sha256": "abc" } } }""");
        var e = Assert.Throws<LmevException>(() => DataLock.Read(path));
        Assert.Contains("sources.mine.format: expected one of 'csv', 'csv.gz', 'tar.gz', 'dir', 'onnx', 'txt', found 'xlsx'", e.Message);
        Assert.Contains("sources.other.format: expected one of 'csv', 'csv.gz', 'tar.gz', 'dir', 'onnx', 'txt' (did you mean 'csv'?), found 'cvs'", e.Message);
        Assert.Contains("sources.other.sha256: expected 64 hex digits", e.Message);
    }
}
