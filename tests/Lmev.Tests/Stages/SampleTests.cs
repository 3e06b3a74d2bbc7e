using Lmev.Pipeline;
using Lmev.Stages.Sample;
using Lmev.Tests.Support;

namespace Lmev.Tests.Stages;

public sealed class SampleTests
{
    private static string Rows(TempDir dir, int n)
    {
        var path = dir.File("rows.csv");
        File.WriteAllLines(path, new[] { "title,category" }.Concat(Enumerable.Range(0, n).Select(i => $"titulo {i},C{i % 7}")));
        return path;
    }

    private static string[] Sample(TempDir dir, string rows, long n, ulong seed, string cache = "cache")
    {
        var (m, _) = StageRunner.Run(new SampleStage(new SampleParams(n, seed), StageRunner.FileArtifact(rows)), Path.Combine(dir.Path, cache));
        return File.ReadAllLines(Path.Combine(m.Directory, SampleStage.Output));
    }

    [Fact]
    public void The_same_seed_gives_the_same_rows_and_another_seed_other_rows()
    {
        using var dir = new TempDir();
        var rows = Rows(dir, 5000);
        var a = Sample(dir, rows, 300, 1, "c1");
        var b = Sample(dir, rows, 300, 1, "c2");
        var c = Sample(dir, rows, 300, 2, "c3");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(301, a.Length);
        Assert.Equal("title,category", a[0]);
        Assert.Equal(300, a.Skip(1).Distinct().Count());
    }

    [Fact]
    public void Rows_keep_their_input_order()
    {
        using var dir = new TempDir();
        var sample = Sample(dir, Rows(dir, 2000), 100, 5);
        var ids = sample.Skip(1).Select(l => int.Parse(l.Split(' ', ',')[1])).ToArray();
        Assert.Equal(ids.Order(), ids);
    }

    [Fact]
    public void Asking_for_more_rows_than_the_input_has_keeps_them_all_and_says_so()
    {
        using var dir = new TempDir();
        var rows = Rows(dir, 50);
        var (m, log) = StageRunner.Run(new SampleStage(new SampleParams(80, 1), StageRunner.FileArtifact(rows)), Path.Combine(dir.Path, "cache"));
        Assert.Equal(50, (long)m.Report["rowsSampled"]!);
        Assert.Contains(log, l => l.Contains("asked for 80 rows but the input has only 50"));
    }

    [Fact]
    public void Every_row_is_equally_likely_to_be_drawn()
    {
        // 2,000 samples of 10 out of 100: each row should be drawn about 200 times.
        var counts = new int[100];
        for (ulong seed = 0; seed < 2000; seed++)
        {
            var reservoir = new Reservoir<int>(10, SeededRandom.For(seed, "uniformity"));
            for (var i = 0; i < 100; i++) if (reservoir.Next()) reservoir.Keep(i);
            foreach (var i in reservoir.InStreamOrder()) counts[i]++;
        }
        // Chi-square with 99 degrees of freedom: the 99.9th percentile is about 149.
        var chi2 = counts.Sum(c => (c - 200.0) * (c - 200.0) / 200.0);
        Assert.True(chi2 < 149, $"chi-square {chi2:F1}; counts {string.Join(",", counts)}");
        Assert.True(counts[0] > 120 && counts[99] > 120, "first and last rows are drawn as often as the others");
    }
}
