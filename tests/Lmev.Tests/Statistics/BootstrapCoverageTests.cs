using System.Diagnostics;
using System.Globalization;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Stages.Aggregate.Statistics;
using Lmev.Tests.Support;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;

namespace Lmev.Tests.Statistics;

/// <summary>
/// The class-stratified bootstrap on test sets shaped like the study's: 1,500 classes, 25,000 titles,
/// a long tail of classes with one or two titles, and a model whose recall is lower on the rare classes
/// (<see cref="LongTailedTestSet"/>). Conditional on the class sizes the true BAC is the mean of the true
/// recalls, so coverage can be counted. Each figure is printed with its Monte Carlo error.
/// </summary>
public sealed class BootstrapCoverageTests(ITestOutputHelper output)
{
    private const int Classes = 1500, Titles = 25_000;

    /// <summary>
    /// Zipf–Mandelbrot share ∝ (c + 40)^−1.6 on top of one title each: the largest class has 383 titles, the median 5,
    /// 106 classes one title and 358 at most two (25,000 of the team's real titles: 59, 13, 106 and 191 of 1,497 classes).
    /// </summary>
    internal static LongTailedTestSet StudyShaped() => LongTailedTestSet.Zipf(Classes, Titles, exponent: 1.6, offset: 40, seed: 2019);

    /// <summary>The class sizes of 25,000 of the team's real titles (skipped where ../shared/data is absent).</summary>
    private static LongTailedTestSet RealShaped()
    {
        var path = SharedData.Require("meli2019-es-titles.csv.gz");
        var categories = new List<string>();
        using (var reader = CsvRowReader.Open(path))
        {
            var category = reader.Column("category");
            while (reader.NextNonBlank(out var problem))
                if (problem == RowProblem.None) categories.Add(reader.FieldString(category));
        }
        return LongTailedTestSet.FromCategories(categories, Titles, seed: 2019);
    }

    [Fact]
    public void A_long_tailed_single_run_lies_inside_its_stratified_interval_and_outside_the_old_one() => SingleRun(StudyShaped());

    [SkippableFact]
    public void With_real_class_sizes_a_single_run_lies_inside_its_stratified_interval_and_outside_the_old_one() => SingleRun(RealShaped());

    [Fact]
    public void Over_simulated_test_sets_the_interval_covers_the_true_bac_and_the_paired_test_keeps_its_level() =>
        Simulate(StudyShaped(), sets: 1000, nullSets: 500, coverageWithin: (0.93, 0.97));

    [SkippableFact]
    public void With_real_class_sizes_the_interval_covers_the_true_bac_and_the_paired_test_keeps_its_level() =>
        Simulate(RealShaped(), sets: 400, nullSets: 300, coverageWithin: (0.92, 0.98)); // fewer sets (the shared data is on the team's machines, not in CI): a wider band

    private void SingleRun(LongTailedTestSet set)
    {
        Describe(set);
        var run = set.Draw(SeededRandom.For(1, "single-run"));
        var estimate = run.BalancedAccuracy();
        var (low, high) = ClassStratifiedBootstrap.Interval([run], 2000, SeededRandom.For(1, "interval"));
        var (oldLow, oldHigh) = UnstratifiedInterval(run, 2000, SeededRandom.For(1, "interval"));
        Print($"one run, 2000 replicates: BAC {F(estimate)}; class-stratified bootstrap 95 % interval {F(low)} – {F(high)}; " +
              $"the old bootstrap over titles regardless of class {F(oldLow)} – {F(oldHigh)} (its centre {F((oldLow + oldHigh) / 2 - estimate, "+0.0000")} from the estimate)");
        Assert.InRange(estimate, low, high);
        Assert.True(estimate < oldLow, $"the old interval {F(oldLow)} – {F(oldHigh)} should lie above the estimate {F(estimate)}: rare classes drop out of its resamples");
        // As wide as the estimate's sampling spread says, 2 · 1.96 · SE (a little more: one-title classes pooled are overstated).
        var width = (high - low) / (2 * 1.959964 * set.TrueSe);
        Print($"its width is {F(width, "0.000")} × 2 · 1.96 · the true standard error");
        Assert.InRange(width, 0.9, 1.2);
    }

    /// <param name="nullSets">The first sets also run the paired test (its 199 replicates of two runs cost five times an interval's 39 of one).</param>
    private void Simulate(LongTailedTestSet set, int sets, int nullSets, (double Low, double High) coverageWithin)
    {
        // B + 1 a multiple of 40, so that the ⌈0.025 B⌉-th and ⌈0.975 B⌉-th of B sorted resamples hold exactly 95 % between them
        // (Hall 1986, Ann. Statist. 14:1453): with 39, the smallest and the largest. Few replicates make the interval's ends noisier,
        // not its coverage lower; the paired test needs more, since its p-value cannot go below 2/(B + 1).
        const int intervalReplicates = 39, testReplicates = 199;
        const double agreement = 0.7;
        Describe(set);
        var trueBac = set.TrueBac;
        var covered = new bool[sets];
        var inside = new bool[sets];
        var rejected = new bool[nullSets];
        var widths = new double[sets];
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        // Half the cores: xUnit already runs other test classes beside this one, some of them timing-sensitive.
        Parallel.For(0, sets, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / 2) }, i =>
        {
            var random = SeededRandom.For((ulong)i, "coverage/draw");
            var a = set.Draw(random);
            var estimate = a.BalancedAccuracy();
            var (low, high) = ClassStratifiedBootstrap.Interval([a], intervalReplicates, SeededRandom.For((ulong)i, "coverage/interval"));
            covered[i] = low <= trueBac && trueBac <= high;
            inside[i] = low <= estimate && estimate <= high;
            widths[i] = high - low;
            if (i >= nullSets) return;
            var b = set.DrawAlike(a, agreement, random);
            var test = ClassStratifiedBootstrap.Paired([a], [b], estimate - b.BalancedAccuracy(), testReplicates, SeededRandom.For((ulong)i, "coverage/paired"));
            rejected[i] = test.P < 0.05;
        });
        clock.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        var coverage = covered.Count(c => c) / (double)sets;
        var rejection = rejected.Count(r => r) / (double)nullSets;
        static double McError(double share, int n) => Math.Sqrt(share * (1 - share) / n);
        // The paired test's p-value is 2(m + 1)/(B + 1), m the resamples on the far side of 0: a bootstrap that
        // got the spread exactly right would reject at 5 % in 2(⌈0.05(B + 1)/2⌉ − 1)/(B + 1) of the sets.
        var exactLevel = 2 * (Math.Ceiling(0.05 * (testReplicates + 1) / 2) - 1) / (testReplicates + 1);
        var plain = 2 * Normal.CDF(0, 1, 1.959964 * set.PlainStratifiedSe / set.TrueSe) - 1;
        Print($"{sets} simulated test sets, the first {nullSets} with a paired test too; {intervalReplicates} bootstrap replicates for each interval, {testReplicates} for each paired test; " +
              $"{F(clock.Elapsed.TotalSeconds, "0.0")} s, {F(cpu.TotalSeconds, "0.0")} s of CPU (load average {F(LoadAverage(), "0.0")})");
        Print($"coverage of the true BAC by the 95 % interval: {F(coverage * 100, "0.0")} % ± {F(McError(coverage, sets) * 100, "0.0")} (Monte Carlo standard error); " +
              $"estimate inside its own interval in {inside.Count(x => x)} of {sets}");
        Print($"mean interval width {F(widths.Average())}, against 2 · 1.96 · the true standard error = {F(2 * 1.959964 * set.TrueSe)}");
        Print($"paired test, two models of equal per-class recall (agreeing on {agreement * 100:0} % of titles): rejected at 5 % in " +
              $"{F(rejection * 100, "0.0")} % ± {F(McError(rejection, nullSets) * 100, "0.0")} of {nullSets} sets (a bootstrap of the exact spread with {testReplicates} replicates: {F(exactLevel * 100, "0.0")} %)");
        Print($"for comparison, a stratified bootstrap without the rescaling and the pooling of one-title classes would show {F(set.PlainStratifiedSe / set.TrueSe, "0.000")} " +
              $"of the true standard error: a normal interval of that width covers {F(plain * 100, "0.0")} %");

        Assert.All(inside, x => Assert.True(x, "an estimate outside its own interval"));
        Assert.InRange(coverage, coverageWithin.Low, coverageWithin.High);
        Assert.True(rejection <= 0.06, $"the paired test rejected a true null in {F(rejection * 100, "0.0")} % of sets");
    }

    /// <summary>
    /// The bootstrap Aggregate used before version 4: titles resampled regardless of class (a class absent
    /// from a resample leaves the mean), percentile interval.
    /// </summary>
    internal static (double Low, double High) UnstratifiedInterval(ScoredTitles run, int replicates, SeededRandom random)
    {
        var n = run.Truth.Length;
        var weight = new int[n];
        var stats = new double[replicates];
        for (var rep = 0; rep < replicates; rep++)
        {
            Array.Clear(weight);
            for (var i = 0; i < n; i++) weight[random.NextInt(n)]++;
            stats[rep] = run.BalancedAccuracy(weight);
        }
        Array.Sort(stats);
        double At(double q) => stats[Math.Clamp((int)Math.Ceiling(q * replicates) - 1, 0, replicates - 1)];
        return (At(0.025), At(0.975));
    }

    private void Describe(LongTailedTestSet set) =>
        Print($"test set: {set.Classes} classes, {set.Truth.Length} titles; class sizes: largest {set.Size.Max()}, median {set.Size.Order().ElementAt(set.Classes / 2)}, " +
              $"{set.WithAtMost(1)} classes of 1 title, {set.WithAtMost(2)} of at most 2; true BAC {F(set.TrueBac)}, its standard error {F(set.TrueSe, "0.00000")}");

    private void Print(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }

    private static string F(double v, string format = "0.0000") => v.ToString(format, CultureInfo.InvariantCulture);

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture, out var load) ? load : double.NaN;
}
