using Lmev.Stages.Split;
using Lmev.Tests.Support;

namespace Lmev.Tests.Stages;

public sealed class SplitTests
{
    private static (Lmev.Pipeline.Manifest M, Dictionary<string, string[]> Files) Split(TempDir dir, IEnumerable<string> rows, SplitParams p)
    {
        var path = dir.File("sample.csv");
        File.WriteAllLines(path, new[] { "title,category" }.Concat(rows));
        var (m, _) = StageRunner.Run(new SplitStage(p, StageRunner.FileArtifact(path)), Path.Combine(dir.Path, "cache"));
        var files = new[] { "train", "val", "test", "classes" }.ToDictionary(s => s, s => File.ReadAllLines(Path.Combine(m.Directory, s + ".csv")));
        return (m, files);
    }

    [Fact]
    public void Test_rows_come_first_then_five_percent_of_the_rest_for_validation()
    {
        using var dir = new TempDir();
        var (m, f) = Split(dir, Enumerable.Range(0, 1000).Select(i => $"t{i},C{i % 10}"), new SplitParams(100, 0.05, 1));
        Assert.Equal(100, f["test"].Length - 1);
        Assert.Equal(45, f["val"].Length - 1);   // 5 % of 900
        Assert.Equal(855, f["train"].Length - 1);
        var all = f["train"].Skip(1).Concat(f["val"].Skip(1)).Concat(f["test"].Skip(1)).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal(1000, all.Distinct().Count()); // each row in exactly one split
        Assert.Equal(10, (int)m.Report["classes"]!);
    }

    [Fact]
    public void Class_ids_follow_sorted_category_names()
    {
        using var dir = new TempDir();
        var (_, f) = Split(dir, ["a,ZETA", "b,ALFA", "c,MEDIO", "d,ALFA", "e,ZETA", "f,MEDIO"], new SplitParams(1, 0, 1));
        Assert.Equal("label,category,train,val,test", f["classes"][0]);
        Assert.Equal(["0,ALFA", "1,MEDIO", "2,ZETA"], f["classes"].Skip(1).Select(l => string.Join(',', l.Split(',').Take(2))));
        foreach (var line in f["train"].Skip(1))
        {
            var parts = line.Split(',');
            Assert.Equal(parts[1] switch { "ALFA" => "0", "MEDIO" => "1", _ => "2" }, parts[2]);
        }
    }

    [Fact]
    public void Categories_missing_from_train_are_reported()
    {
        using var dir = new TempDir();
        // One row of RARA among many: with 2 test rows drawn, try seeds until RARA lands in test.
        var rows = Enumerable.Range(0, 40).Select(i => $"t{i},COMUN").Append("unico,RARA").ToArray();
        for (ulong seed = 0; seed < 200; seed++)
        {
            using var d = new TempDir();
            var (m, f) = Split(d, rows, new SplitParams(2, 0, seed));
            if (!f["test"].Any(l => l.EndsWith(",RARA,1", StringComparison.Ordinal))) continue;
            Assert.Equal(["RARA"], m.Report["categoriesNotInTrain"]!.AsArray().Select(n => (string)n!));
            return;
        }
        Assert.Fail("no seed put RARA in test");
    }

    [Fact]
    public void Too_few_rows_for_the_test_split_is_a_clear_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<Lmev.Pipeline.LmevException>(() => Split(dir, ["a,X", "b,Y"], new SplitParams(5, 0.05, 1)));
        Assert.Contains("split.testRows is 5 but the sample has only 2 rows", e.Message);
    }
}
