using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

public sealed class ExperimentFlowTests
{
    [Fact]
    public void Aggregate_refuses_when_no_run_is_trained_and_status_does_not_call_it_up_to_date()
    {
        using var project = new TestProject();
        project.AddQuickModels();
        project.RunAll();
        var e = Assert.Throws<LmevException>(() => project.Flow().Run("aggregate"));
        Assert.Contains("needs the output of 'train'", e.Message);
        Assert.Contains("run `lmev train --experiment demo`", e.Message);
        Assert.All(project.Flow().Status().Where(s => s.Step is "aggregate" or "plot" or "report"), s => Assert.NotEqual("up to date", s.State));
    }

    [Fact]
    public void An_identical_second_run_runs_no_stage()
    {
        using var project = new TestProject();
        Assert.Equal(["download", "filter-spanish", "sample", "split"], project.RunAll());
        Assert.Empty(project.RunAll());
        Assert.Equal(4, project.Log.Count(l => l.Contains(": cached (")));
    }

    [Fact]
    public void Changing_the_sample_size_reruns_sample_and_split_only()
    {
        using var project = new TestProject();
        project.RunAll();
        project.Experiment["sample"]!["rows"] = 1200;
        project.Save();
        Assert.Equal(["sample", "split"], project.RunAll());
    }

    [Fact]
    public void Changing_only_a_training_parameter_reruns_nothing()
    {
        using var project = new TestProject();
        project.RunAll();
        project.Experiment["train"]!["epochs"] = 3;
        project.Experiment["runs"] = 2;
        project.Save();
        Assert.Empty(project.RunAll());
    }

    [Fact]
    public void Renaming_an_experiment_or_relabelling_a_model_trains_nothing_again_and_the_report_says_the_new_labels()
    {
        using var project = new TestProject();
        project.AddQuickModels();
        project.Experiment["runs"] = 1;
        project.Save();
        project.RunAll(last: "aggregate");
        // The same experiment under another name, and its models labelled another language.
        foreach (var model in project.Experiment["models"]!.AsArray()) model!["language"] = "es";
        project.Save("renamed");
        var before = project.Log.Count;
        project.RunAll("renamed", last: "aggregate");
        var ran = project.Ran(before);
        Assert.DoesNotContain(ran, u => u.StartsWith("train", StringComparison.Ordinal));
        Assert.Equal(["aggregate"], ran); // its parameters hold each model's labels
        var runs = File.ReadAllLines(Path.Combine(project.Flow("renamed").Run("aggregate")[0].Directory, Lmev.Contracts.Results.RunsTable.FileName));
        Assert.All(runs.Skip(1), row => Assert.StartsWith("renamed,", row));
        Assert.All(runs.Skip(1), row => Assert.Contains(",es,", row));
    }

    [Fact]
    public void Status_names_the_changed_parameter_and_the_stale_downstream()
    {
        using var project = new TestProject();
        project.RunAll();
        project.Experiment["sample"]!["rows"] = 1200;
        project.Save();
        var status = project.Flow().Status().ToDictionary(s => s.Step);
        Assert.Equal("up to date", status["filter-spanish"].State);
        Assert.Equal("stale", status["sample"].State);
        Assert.Contains("params.rows changed: 1500 → 1200", status["sample"].Reasons);
        Assert.Equal("stale", status["split"].State);
        Assert.Contains("upstream 'sample' is not up to date", status["split"].Reasons);
    }

    [Fact]
    public void A_step_whose_upstream_is_missing_names_the_command_to_run()
    {
        using var project = new TestProject();
        var e = Assert.Throws<LmevException>(() => project.Flow().Run("sample"));
        Assert.Contains("needs the output of 'download'", e.Message);
        Assert.Contains("lmev download --experiment demo", e.Message);
    }

    [Fact]
    public void Gc_keeps_what_the_experiment_reaches_and_removes_the_rest()
    {
        using var project = new TestProject();
        project.RunAll();
        project.Experiment["sample"]!["rows"] = 1200;
        project.Save();
        project.RunAll();
        var flow = project.Flow();
        var removed = flow.Cache.Gc(flow.Reachable().ToHashSet(), dryRun: false).Removed;
        Assert.Equal(["sample", "split"], removed.Select(r => r.Stage).Order());
        Assert.Empty(project.RunAll());
    }

    [Fact]
    public void An_experiment_file_with_an_unknown_key_is_rejected_naming_the_file_and_key()
    {
        using var project = new TestProject();
        project.Experiment["sample"]!["rowz"] = 10;
        project.Save();
        var e = Assert.Throws<LmevException>(() => project.Flow());
        Assert.Contains("demo.json", e.Message);
        Assert.Contains("rowz", e.Message);
    }

    [Fact]
    public void An_experiment_with_an_invalid_value_says_what_was_expected_and_found()
    {
        using var project = new TestProject();
        project.Experiment["split"]!["validationFraction"] = 1.5;
        project.Save();
        var e = Assert.Throws<LmevException>(() => project.Flow());
        Assert.Contains("split.validationFraction: expected a fraction in [0, 1), found 1.5", e.Message);
    }
}
