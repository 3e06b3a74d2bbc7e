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
