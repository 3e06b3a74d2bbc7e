using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Cli;

/// <summary>What a new user sees from `lmev`: exit codes, messages about their own files, help that lists what a command reads.</summary>
public sealed class CliEdgesTests
{
    [Fact]
    public void Status_exits_3_when_steps_are_to_run_and_names_the_real_target()
    {
        using var p = new TestProject();
        var (code, output) = LmevProcess.Run(p, "status", "--experiment", "demo");
        Assert.Equal(3, code);
        Assert.Contains("dotnet cake --target=Report --experiment=demo", output);
        Assert.DoesNotContain("<Step>", output);
    }

    [Fact]
    public void Status_exits_4_when_a_unit_is_in_error_and_does_not_count_it_as_to_run()
    {
        using var p = new TestProject();
        p.Experiment["models"] = JsonNode.Parse("""[ { "name": "m", "kind": "nnlm", "language": "es", "source": "not-in-the-lock" } ]""");
        p.Save();
        var (code, output) = LmevProcess.Run(p, "status", "--experiment", "demo");
        Assert.Equal(4, code);
        Assert.Contains("model [m]", output);
        Assert.Contains("no source named 'not-in-the-lock'", output);
        Assert.Matches(@"\d+ units? in error", output);
        Assert.DoesNotContain("model [m]                                    never run", output);
    }

    [Theory]
    [InlineData("/nonexistent/dir/x.csv", "the folder /nonexistent/dir does not exist")]
    [InlineData("{folder}", "is a folder; give the file to write")]
    [InlineData("{folder}/n.csv", "--rows: expected a positive number of rows, found -5", "-5")]
    public void Demo_data_refuses_a_bad_output_cleanly_and_leaves_nothing(string output, string message, string rows = "10")
    {
        using var dir = new TempDir();
        var path = output.Replace("{folder}", dir.Path);
        var (code, text) = LmevProcess.Run(null, "demo-data", "--rows", rows, "-o", path);
        Assert.Equal(1, code);
        Assert.Contains(message, text);
        Assert.DoesNotContain("Unhandled exception", text);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
        Assert.False(Directory.Exists(dir.Path + ".tmp"));
    }

    [Fact]
    public void Each_command_lists_only_the_options_it_reads_and_the_root_default_once()
    {
        var (_, demo) = LmevProcess.Run(null, "demo-data", "--help");
        Assert.DoesNotContain("--experiment", demo);
        Assert.DoesNotContain("--root", demo);
        var (_, gc) = LmevProcess.Run(null, "gc", "--help");
        Assert.DoesNotContain("--experiment", gc);
        Assert.DoesNotContain("--model", gc);
        var (_, sample) = LmevProcess.Run(null, "sample", "--help");
        var root = sample.Split('\n').Single(l => l.TrimStart().StartsWith("--root", StringComparison.Ordinal));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(root, "default"));
        Assert.DoesNotContain("--model", sample); // sample has no per-model units
        var (code, _) = LmevProcess.Run(null, "demo-data", "--experiment", "nonexist", "-o", "x.csv");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void Trust_on_first_use_is_said_once_when_the_lock_is_written()
    {
        using var p = new TestProject();
        using var data = new TempDir();
        var csv = Path.Combine(data.Path, "mine.csv");
        File.WriteAllText(csv, "title,category,language\nzapatillas rojas,calzado,spanish\nmesa de roble,muebles,spanish\n");
        p.PinDataset(csv, "csv");
        var (code, output) = LmevProcess.Run(p, "download", "--experiment", "demo");
        Assert.Equal(0, code);
        Assert.Single(output.Split('\n'), l => l.Contains("filled", StringComparison.Ordinal));
        Assert.Equal(Hashing.Sha256OfFile(csv), DataLock.Read(Path.Combine(p.Root, DataLock.FileName)).Sources["mine"].Sha256);
    }
}
