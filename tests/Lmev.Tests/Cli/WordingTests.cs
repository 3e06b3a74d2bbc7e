using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Stages.FilterSpanish;
using Lmev.Tests.Support;

namespace Lmev.Tests.Cli;

/// <summary>What lmev says, in words a user would write: counts agree with their nouns, the real cause is named, one number format per report.</summary>
public sealed class WordingTests
{
    [Fact]
    public void One_skipped_row_is_a_row_at_a_line()
    {
        var bad = new BadRows("x.csv", strict: false);
        bad.Add("wrong field count", 204);
        bad.Add("invalid UTF-8", 7);
        bad.Add("invalid UTF-8", 9);
        var summary = bad.Summary().ToList();
        Assert.Contains("skipped 1 row with wrong field count (at line 204)", summary);
        Assert.Contains("skipped 2 rows with invalid UTF-8 (first at lines 7, 9)", summary);
    }

    [Fact]
    public void A_header_only_file_is_said_to_have_no_data_rows()
    {
        using var dir = new TempDir();
        var source = Path.Combine(dir.Path, "source.csv");
        File.WriteAllText(source, "title,label_quality,language,category\n");
        var e = Assert.Throws<LmevException>(() =>
            StageRunner.Run(new FilterSpanishStage(new FilterParams(), StageRunner.FileArtifact(source)), Path.Combine(dir.Path, "cache")));
        Assert.Contains("the file has no data rows, only its header", e.Message);
        Assert.DoesNotContain("check filter.language", e.Message);
    }

    [Fact]
    public void Outside_a_project_the_error_says_so_and_names_root()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<LmevException>(() => Lmev.Flow.Experiment.Load(dir.Path, "demo"));
        Assert.Contains("not an lmev project (no experiments/ folder)", e.Message);
        Assert.Contains("--root", e.Message);
    }

    [Fact]
    public void A_mistyped_experiment_gets_the_closest_name()
    {
        using var p = new TestProject();
        var e = Assert.Throws<LmevException>(() => Lmev.Flow.Experiment.Load(p.Root, "dmeo"));
        Assert.Contains("no experiment named 'dmeo' (did you mean 'demo'?)", e.Message);
    }

    [Fact]
    public void The_spanish_report_writes_every_number_one_way()
    {
        Assert.Equal("60\u00A0000", Lmev.Stages.Report.ReportDocument.Int(60_000));
        Assert.Equal("1\u00A0025\u00A0000", Lmev.Stages.Report.ReportDocument.Int(1_025_000));
    }
}

/// <summary>Errors about the user's own files name those files (as given in data.lock.json), the cache's copy only as a second detail.</summary>
public sealed class UserFileErrorTests
{
    [Fact]
    public void A_bad_csv_row_is_reported_at_the_users_file_and_line()
    {
        using var data = new TempDir();
        var csv = Path.Combine(data.Path, "bad.csv");
        File.WriteAllText(csv, "title,category,language\nzapatillas rojas,calzado,spanish\nmesa,de,roble,spanish\n");
        using var p = new TestProject();
        p.PinDataset(csv, "csv");
        p.Flow().Run("download");
        var e = Assert.Throws<LmevException>(() => p.Flow(strict: true).Run("filter-spanish"));
        Assert.StartsWith($"{csv} (data.lock.json 'mine'):3: bad row: wrong field count", e.Message);
        Assert.Contains("read from its cached copy", e.Message);
    }

    [Fact]
    public void A_broken_transformer_model_is_reported_at_the_users_file()
    {
        using var files = new TempDir();
        var onnx = Path.Combine(files.Path, "model.onnx");
        File.WriteAllBytes(onnx, Encoding.UTF8.GetBytes("not an onnx model"));
        File.WriteAllText(Path.Combine(files.Path, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhola\n");
        using var p = new TestProject();
        p.Experiment["models"] = System.Text.Json.Nodes.JsonNode.Parse("""[ { "name": "t", "kind": "transformer", "language": "es", "source": "t-onnx", "vocabulary": "t-vocab" } ]""");
        p.Save();
        File.WriteAllText(Path.Combine(p.Root, DataLock.FileName), new System.Text.Json.Nodes.JsonObject
        {
            ["sources"] = new System.Text.Json.Nodes.JsonObject
            {
                ["t-onnx"] = new System.Text.Json.Nodes.JsonObject { ["url"] = onnx, ["format"] = "onnx" },
                ["t-vocab"] = new System.Text.Json.Nodes.JsonObject { ["url"] = Path.Combine(files.Path, "vocab.txt"), ["format"] = "txt" },
            },
        }.ToJsonString());
        var e = Assert.Throws<LmevException>(() => p.Flow().Run("model"));
        Assert.StartsWith($"{onnx} (data.lock.json 't-onnx'): ", e.Message);
        Assert.DoesNotContain("filled", string.Join("\n", p.Log)); // a failed step writes no lock and says nothing of it
        Assert.Equal("", DataLock.Read(Path.Combine(p.Root, DataLock.FileName)).Sources["t-onnx"].Sha256);
    }
}

/// <summary>Progress, when the output is captured (Cake, CI logs), is plain lines.</summary>
public sealed class ProgressOutputTests
{
    [Fact]
    public void Captured_output_has_no_control_characters()
    {
        using var dir = new TempDir();
        var (code, output) = LmevProcess.Run(null, "demo-data", "--rows", "400000", "-o", Path.Combine(dir.Path, "x.csv"));
        Assert.Equal(0, code);
        Assert.Contains("wrote 400,000 rows", output);
        Assert.DoesNotContain('\r', output);
        Assert.DoesNotContain('\u001b', output);
    }
}

/// <summary>Cake's choices are checked before any step (the argument names: CakeCommandLineTests).</summary>
public sealed class CakeArgumentTests
{
    [Fact]
    public void Lmev_check_refuses_an_unknown_model_with_the_closest_before_any_step()
    {
        using var p = new TestProject();
        p.AddQuickModels();
        var (code, output) = LmevProcess.Run(p, "check", "--experiment", "demo", "--model", "r61");
        Assert.Equal(1, code);
        Assert.Contains("no model named 'r61' (did you mean 'r16'?)", output);
        Assert.False(Directory.Exists(p.CacheRoot), "a step ran");
        var (ok, said) = LmevProcess.Run(p, "check", "--experiment", "demo", "--model", "r16", "--run", "2");
        Assert.Equal(0, ok);
        Assert.Contains("the choices are valid", said);
    }

    [Fact]
    public void A_random_model_says_its_normalization_in_words()
    {
        using var p = new TestProject();
        p.AddQuickModels();
        p.Flow().Run("model");
        Assert.Contains(p.Log, l => l.Contains("normalization off"));
        Assert.DoesNotContain(p.Log, l => l.Contains("normalization False"));
    }
}

/// <summary>A source pinned by path that the user edits is noticed, named, and accepted only on purpose.</summary>
public sealed class EditedLocalSourceTests
{
    [Fact]
    public void An_edited_local_source_is_an_error_with_both_hashes_until_accepted()
    {
        using var data = new TempDir();
        var csv = Path.Combine(data.Path, "mine.csv");
        File.WriteAllText(csv, "title,category,language\nzapatillas rojas,calzado,spanish\nmesa de roble,muebles,spanish\n");
        using var p = new TestProject();
        p.PinDataset(csv, "csv");
        p.Flow().Run("download");
        var pinned = Hashing.Sha256OfFile(csv);

        File.AppendAllText(csv, "silla plegable,muebles,spanish\n");
        var now = Hashing.Sha256OfFile(csv);
        var e = Assert.Throws<LmevException>(() => p.Flow().Run("download"));
        Assert.Contains(csv, e.Message);
        Assert.Contains(pinned, e.Message);
        Assert.Contains(now, e.Message);
        Assert.Contains("restore the file", e.Message);
        Assert.Contains("lmev lock accept mine", e.Message);
        Assert.DoesNotContain("deleted", e.Message);
        Assert.Contains(p.Flow().Status(), s => s.Step == "download" && s.State == "error");

        Lmev.Pipeline.Fetching.LockAcceptance.Accept(p.Root, "mine");
        Assert.Equal(now, DataLock.Read(Path.Combine(p.Root, DataLock.FileName)).Sources["mine"].Sha256);
        var before = p.Log.Count;
        var download = p.Flow().Run("download")[0];
        Assert.Contains(p.Log.Skip(before), l => l.StartsWith("download: running", StringComparison.Ordinal));
        Assert.Equal(now, download.Outputs[download.Outputs.Keys.Single(k => k.StartsWith("source.", StringComparison.Ordinal))].Sha256);
    }
}
