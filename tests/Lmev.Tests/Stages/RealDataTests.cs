using Lmev.Flow;
using Lmev.Pipeline.Csv;
using Lmev.Stages.FilterSpanish;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Stages;

/// <summary>The data stages on real MercadoLibre titles (../shared/data; skipped where absent).</summary>
public sealed class RealDataTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Reads_all_real_titles_without_a_bad_row()
    {
        var path = SharedData.Require("meli2019-es-titles.csv.gz");
        using var reader = CsvRowReader.Open(path);
        Assert.Equal(["title", "category"], reader.Header);
        long rows = 0, bad = 0;
        var categories = new HashSet<string>();
        var category = reader.Column("category");
        while (reader.NextNonBlank(out var problem))
        {
            rows++;
            if (problem != RowProblem.None) { bad++; continue; }
            categories.Add(reader.FieldString(category));
        }
        Assert.Equal(598_067, rows);
        Assert.Equal(0, bad);
        // ../shared/data/README.md says 1,573 categories; the file holds 1,570 distinct values
        // (Python's csv module counts the same).
        Assert.Equal(1_570, categories.Count);
    }

    [SkippableFact]
    public void The_language_detector_keeps_most_real_spanish_titles()
    {
        var path = SharedData.Require("meli2019-es-titles.csv.gz");
        using var dir = new TempDir();
        var sample = dir.File("titles.csv");
        using (var reader = CsvRowReader.Open(path))
        using (var writer = CsvWriter.Create(sample))
        {
            writer.Row("title", "category");
            for (var i = 0; i < 3000 && reader.NextNonBlank(out _); i++)
            {
                writer.Field(reader.Field(0));
                writer.Field(reader.Field(1));
                writer.EndRow();
            }
        }
        var (m, _) = StageRunner.Run(new FilterSpanishStage(new FilterParams(LanguageColumn: null), StageRunner.FileArtifact(sample)), dir.File("cache"));
        var kept = (long)m.Report["rowsKept"]! / 3000.0;
        output.WriteLine($"Lingua (Spanish vs Portuguese) kept {kept:P1} of 3,000 real Spanish titles");
        Assert.True(kept > 0.85, $"kept only {kept:P1}");
    }
}

/// <summary>Train on real titles (../shared/data; skipped where absent): both modes far above chance.</summary>
public sealed class RealDataTrainingTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Frozen_and_fine_tuned_random_tables_score_far_above_chance_on_real_titles()
    {
        var path = SharedData.Require("meli2019-es-titles.csv.gz");
        using var p = new TestProject();
        File.WriteAllText(Path.Combine(p.Root, "data.lock.json"),
            new System.Text.Json.Nodes.JsonObject { ["sources"] = new System.Text.Json.Nodes.JsonObject { ["real"] = new System.Text.Json.Nodes.JsonObject { ["url"] = path } } }.ToJsonString());
        p.Experiment["dataset"] = new System.Text.Json.Nodes.JsonObject { ["source"] = "real" };
        p.Experiment["filter"] = new System.Text.Json.Nodes.JsonObject { ["languageColumn"] = null, ["language"] = "*" };
        p.Experiment["sample"] = new System.Text.Json.Nodes.JsonObject { ["rows"] = 14000, ["seed"] = 1 };
        p.Experiment["split"] = new System.Text.Json.Nodes.JsonObject { ["testRows"] = 2000, ["validationFraction"] = 0.05, ["seed"] = 1 };
        p.Experiment["train"] = new System.Text.Json.Nodes.JsonObject { ["epochs"] = 5, ["batchSize"] = 256, ["threads"] = 2 };
        p.Experiment["runs"] = 1;
        p.Experiment["models"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["name"] = "random-dim64", ["kind"] = "random", ["dim"] = 64, ["buckets"] = 65536 },
            new System.Text.Json.Nodes.JsonObject { ["name"] = "random-dim64-fine-tune", ["kind"] = "random", ["dim"] = 64, ["buckets"] = 65536, ["mode"] = "fine-tune" });
        p.Save();
        p.RunAll(last: "train");
        var classes = (int)p.Flow().Run("split")[0].Report["classes"]!;
        foreach (var run in p.Flow().Run("train"))
        {
            var m = Lmev.Contracts.RunMetrics.Read(Path.Combine(run.Directory, "metrics.json"));
            output.WriteLine($"{m.Model} ({m.Mode}): test balanced accuracy {m.Test.BalancedAccuracy:F4}, accuracy {m.Test.Accuracy:F4} on {m.TrainRows:N0} training rows, {classes} classes (chance ≈ {1.0 / classes:F4})");
            Assert.True(m.Test.BalancedAccuracy > 50.0 / classes, $"{m.Model}: {m.Test.BalancedAccuracy}");
        }
    }
}
