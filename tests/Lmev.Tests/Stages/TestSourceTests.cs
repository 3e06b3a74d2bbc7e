using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Stages.Split;
using Lmev.Tests.Support;

namespace Lmev.Tests.Stages;

/// <summary>split.testSource: a data.lock.json entry whose rows, through the same filter, are the test split.</summary>
public sealed class TestSourceTests
{
    private static List<(string Title, string Category)> Rows(string csv)
    {
        var rows = new List<(string, string)>();
        using var reader = CsvRowReader.Open(csv);
        var (t, c) = (reader.Column("title"), reader.Column("category"));
        while (reader.NextNonBlank(out _)) rows.Add((reader.FieldString(t), reader.FieldString(c)));
        return rows;
    }

    [Fact]
    public void The_test_split_is_the_named_files_rows_after_the_filter_and_train_and_val_come_from_the_sample()
    {
        using var p = new TestProject(demoRows: 4000, sampleRows: 1500, testRows: 200);
        p.RunAll(last: "sample");
        var sample = Rows(p.Flow().Run("sample")[0].Output(Lmev.Stages.Sample.SampleStage.Output).Path);

        // The held-out file: 30 titles that are also in the sample, new titles (one of a category no sample row has),
        // a Portuguese row the filter drops, and an empty title it skips.
        var lines = new List<string> { "title,category,language" };
        lines.AddRange(sample.Take(30).Select(r => $"\"{r.Title.Replace("\"", "\"\"")}\",{r.Category},spanish"));
        lines.AddRange(Enumerable.Range(0, 20).Select(i => $"titulo nuevo {i},{sample[i].Category},spanish"));
        lines.Add("collar cervical ajustable,CATEGORIA_NUEVA,spanish");
        lines.Add("camiseta nova,PT_ONLY,portuguese");
        lines.Add(",EMPTY,spanish");
        File.WriteAllLines(Path.Combine(p.Root, "held-out.csv"), lines);
        File.WriteAllText(Path.Combine(p.Root, DataLock.FileName),
            """{ "sources": { "held-out": { "url": "held-out.csv", "sha256": "", "size": 0, "format": "csv" } } }""");
        p.Experiment["split"] = new JsonObject { ["validationFraction"] = 0.05, ["seed"] = 3, ["testSource"] = "held-out" };
        p.Save();

        Assert.Equal(["download", "filter-spanish", "split"], p.RunAll(last: "split"));
        var split = p.Flow().Run("split").Single();
        var (train, val, test) = (Rows(split.Output("train.csv").Path), Rows(split.Output("val.csv").Path), Rows(split.Output("test.csv").Path));

        var expectedTest = sample.Take(30).Concat(Enumerable.Range(0, 20).Select(i => ($"titulo nuevo {i}", sample[i].Category)))
            .Append(("collar cervical ajustable", "CATEGORIA_NUEVA")).ToList();
        Assert.Equal(expectedTest, test);
        Assert.Equal(sample.Order(), train.Concat(val).Order());           // every sampled row, in train or val, none in test
        Assert.Equal(75, val.Count);                                        // 5 % of the 1,500 sampled rows
        Assert.Contains(test, r => r.Category == "CATEGORIA_NUEVA");        // kept though no model can predict it

        var trainTitles = train.Select(r => r.Title).ToHashSet();
        var trainCategories = train.Select(r => r.Category).ToHashSet();
        var shared = test.Count(r => trainTitles.Contains(r.Title));
        Assert.InRange(shared, 1, 30);
        Assert.Equal(shared, (int)split.Report[SplitStage.TestTitlesInTrain]!);
        Assert.Equal(test.Count(r => !trainCategories.Contains(r.Category)), (int)split.Report[SplitStage.TestRowsCategoryNotInTrain]!);
        Assert.Contains(p.Log, l => l.Contains($"{shared} have a title also in train"));
        Assert.Contains("categoria_nueva", File.ReadAllText(split.Output("classes.csv").Path).ToLowerInvariant());
    }

    [Fact]
    public void Split_testRows_with_a_test_source_is_an_error_naming_the_key()
    {
        using var p = new TestProject();
        p.Experiment["split"] = new JsonObject { ["testRows"] = 200, ["testSource"] = "held-out" };
        p.Save();
        var e = Assert.Throws<LmevException>(() => p.Flow());
        Assert.Contains("split.testRows", e.Message);
        Assert.Contains("testSource", e.Message);
    }

    /// <summary>The Split parameters as they were before testSource existed.</summary>
    private sealed record SplitParamsBefore(int TestRows, double ValidationFraction, ulong Seed);

    private sealed class SplitBefore(SplitParamsBefore p, Artifact sample) : IStage
    {
        public string Name => "split";
        public int Version => 1;
        public object Params => p;
        public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact> { ["sample"] = sample };
        public void Run(StageContext context) => throw new NotSupportedException();
    }

    [Fact]
    public void Without_a_test_source_the_keys_are_unchanged()
    {
        using var p = new TestProject();
        p.RunAll(last: "split");
        var sample = p.Flow().Run("sample")[0].Output(Lmev.Stages.Sample.SampleStage.Output);
        var split = p.Flow().Run("split").Single();
        Assert.Equal(StageCache.Key(new SplitBefore(new SplitParamsBefore(200, 0.05, 3), sample)), split.Key);
        Assert.Equal(StageCache.Key(new SplitStage(new SplitParams(200, 0.05, 3), sample)), split.Key);
        // Download and filter-spanish have one unit each, named "" as before.
        Assert.Equal([""], p.Flow().Run("download").Select(m => m.Unit));
        Assert.Equal([""], p.Flow().Run("filter-spanish").Select(m => m.Unit));
        Assert.DoesNotContain("testSource", split.Params!.ToJsonString());
    }
}
