using Lmev.Pipeline;
using Lmev.Stages.Aggregate.Statistics;

namespace Lmev.Tests.Statistics;

/// <summary>
/// The report's statistics against answers worked out by hand. For ν = 2 the t distribution has a
/// closed form: P(|T| &gt; t) = 1 − t/√(t² + 2) and t(0.975, 2) = 0.95/√(2·0.975·0.025) = 4.302653
/// (the textbook table's 4.303). Where the degrees of freedom are not whole, the p-value was found by
/// integrating Student's density numerically (Simpson, 200,000 panels), which agrees with the closed
/// form for ν = 2 to 1e-13.
/// </summary>
public sealed class KnownAnswerTests
{
    private const double Tol = 1e-4;

    [Fact]
    public void Welch_with_equal_spreads_has_two_degrees_of_freedom_and_the_closed_form_p()
    {
        // a = {1, 3}, b = {6, 8}: both variances 2, se = √(2/2 + 2/2) = √2, t = −5/√2, df = 2² / (1 + 1) = 2.
        var r = WelchTest.Run([1, 3], [6, 8])!;
        Assert.Equal(-5, r.Difference, Tol);
        Assert.Equal(-3.535534, r.Statistic!.Value, Tol);
        Assert.Equal(2, r.Df!.Value, Tol);
        Assert.Equal(1 - 3.535534 / Math.Sqrt(12.5 + 2), r.P, Tol); // 0.071523
        Assert.Equal(0.071523, r.P, Tol);
        Assert.Equal(-5 - 4.302653 * Math.Sqrt(2), r.Low, Tol);       // −11.084926
        Assert.Equal(-5 + 4.302653 * Math.Sqrt(2), r.High, Tol);
    }

    [Fact]
    public void Welch_with_unequal_sizes_and_spreads()
    {
        // x̄a = 0.8175, x̄b = 0.716667; sa²/na = 0.000291667/4, sb²/nb = 0.000433333/3;
        // t = 0.100833 / 0.014743 = 6.839324; Welch–Satterthwaite df = 3.871221; p = 0.002692.
        var r = WelchTest.Run([0.80, 0.81, 0.82, 0.84], [0.70, 0.74, 0.71])!;
        Assert.Equal(0.100833, r.Difference, Tol);
        Assert.Equal(6.839324, r.Statistic!.Value, Tol);
        Assert.Equal(3.871221, r.Df!.Value, Tol);
        Assert.Equal(0.002692, r.P, Tol);
        Assert.Equal(0.059357, r.Low, Tol);
        Assert.Equal(0.142310, r.High, Tol);
    }

    [Fact]
    public void Paired_t_on_three_pairs()
    {
        // d = {0.02, 0.01, 0.04}: d̄ = 0.023333, s_d = 0.015275, t = √7 = 2.645751, df = 2, p = 1 − √7/3.
        var r = PairedTTest.Run([0.80, 0.82, 0.85], [0.78, 0.81, 0.81])!;
        Assert.Equal(0.023333, r.Difference, Tol);
        Assert.Equal(Math.Sqrt(7), r.Statistic!.Value, Tol);
        Assert.Equal(2, r.Df!.Value, Tol);
        Assert.Equal(0.118083, r.P, Tol);
        Assert.Equal(0.023333 - 4.302653 * 0.015275 / Math.Sqrt(3), r.Low, Tol);
    }

    [Fact]
    public void Holm_multiplies_the_smallest_p_by_m_and_keeps_the_order()
    {
        // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → max so far 0.06.
        Assert.Equal([0.03, 0.06, 0.06, 0.02], HolmCorrection.Adjust([0.01, 0.04, 0.03, 0.005]).Select(p => Math.Round(p, 10)));
        Assert.Equal([1.0, 1.0], HolmCorrection.Adjust([0.6, 0.9]));
    }

    [Fact]
    public void T_interval_of_one_two_three()
    {
        // x̄ = 2, s = 1: 2 ± 4.302653/√3 = 2 ± 2.484138.
        var (low, high) = TInterval.Of([1, 2, 3])!.Value;
        Assert.Equal(-0.484138, low, Tol);
        Assert.Equal(4.484138, high, Tol);
        Assert.Null(TInterval.Of([0.7]));
    }

    [Fact]
    public void Bootstrap_interval_with_a_fixed_seed_lands_on_the_exact_bootstrap_quantiles()
    {
        // One class, 4 titles of which 3 are right: a resample draws K ~ Binomial(4, 3/4) right, and its BAC is moved from
        // 3/4 by √(4/3) · (K/4 − 3/4) (the rescaling that makes the bootstrap variance p̂(1 − p̂)/(n − 1)).
        // P(K ≤ 0) = 1/256 < 0.025 < P(K ≤ 1) = 13/256 and P(K ≤ 3) = 175/256 < 0.975: the 2.5 % and 97.5 % points are
        // K = 1, 3/4 − √(4/3)/2 = 0.172650, and K = 4, 3/4 + √(4/3)/4 = 1.038675, shown as 1 (a BAC is at most 1).
        var run = new ScoredTitles([0, 0, 0, 0], [true, true, true, false], 1);
        var (low, high) = ClassStratifiedBootstrap.Interval([run], 20000, new SeededRandom(42));
        Assert.Equal(0.75 - Math.Sqrt(4.0 / 3) / 2, low, Tol);
        Assert.Equal(1.0, high, Tol);

        // Paired: a perfect model against that run. The difference is 1/4 + √(4/3) · (J/4 − 1/4), J ~ Binomial(4, 1/4) the
        // resampled titles the run misses: its 2.5 % and 97.5 % points are J = 0 (−0.038675) and J = 3 (0.827350), and
        // P(difference ≤ 0) = P(J = 0) = 81/256, so p ≈ 2 · 0.3164 = 0.633 (Monte Carlo, 20,000 resamples).
        var perfect = new ScoredTitles([0, 0, 0, 0], [true, true, true, true], 1);
        var paired = ClassStratifiedBootstrap.Paired([perfect], [run], 0.25, 20000, new SeededRandom(42));
        Assert.Equal(0.25 - Math.Sqrt(4.0 / 3) / 4, paired.Low, Tol);
        Assert.Equal(0.25 + Math.Sqrt(4.0 / 3) / 2, paired.High, Tol);
        Assert.InRange(paired.P, 0.60, 0.66);
        Assert.Equal(paired, ClassStratifiedBootstrap.Paired([perfect], [run], 0.25, 20000, new SeededRandom(42))); // same seed, same answer
    }

    [Fact]
    public void The_bootstrap_keeps_every_class_and_resamples_one_title_classes_together()
    {
        // Class 0: 4 titles, 3 right; classes 1 and 2: one title each, one right and one wrong. BAC = (3/4 + 1 + 0)/3 = 7/12.
        // A resample moves it by √(4/3)/12 · (K − 3), K ~ Binomial(4, 3/4) (class 0, weight 1/12 a title), plus
        // √2/3 · (J − 1), J ~ Binomial(2, 1/2) (the two one-title classes drawn from each other, weight 1/3 a title).
        // J = 0 (¼ of resamples) gives values 7/12 − √2/3 + √(4/3)/12 · (K − 3) ≤ 0.208, below all others (≥ 0.294), so the
        // 2.5 % point is the 10 % point of K within it: K = 2, 7/12 − √2/3 − √(4/3)/12 = 0.015703. Resampling titles
        // regardless of class would leave a class out of most resamples instead.
        var run = new ScoredTitles([0, 0, 0, 0, 1, 2], [true, true, true, false, true, false], 3);
        Assert.Equal(7.0 / 12, run.BalancedAccuracy(), 12);
        var (low, high) = ClassStratifiedBootstrap.Interval([run], 20000, new SeededRandom(7));
        Assert.Equal(7.0 / 12 - Math.Sqrt(2) / 3 - Math.Sqrt(4.0 / 3) / 12, low, Tol);
        Assert.Equal(1.0, high, Tol); // J = 2, K = 4: 1.150963, shown as 1
    }

    [Fact]
    public void Drawn_title_by_title_or_by_binomials_a_stratum_has_the_rescaled_variance()
    {
        // Two runs on one class of n titles, a third right only by A, a third only by B, a third by both. The difference
        // A − B is (b − c)/n; a resample draws (b*, c*) from a multinomial, and the rescaling √(n/(n − 1)) gives it the variance
        // ((p_b + p_c) − (p_b − p_c)²)/(n − 1) = (2/3)/(n − 1): 0.133333 for n = 6 (drawn title by title: three patterns,
        // few titles) and 0.060606 for n = 12 (drawn by binomials), around a mean of 0.
        foreach (var n in new[] { 6, 12 })
        {
            var truth = new int[n];
            var a = new ScoredTitles(truth, Enumerable.Range(0, n).Select(i => i % 3 != 2).ToArray(), 1);
            var b = new ScoredTitles(truth, Enumerable.Range(0, n).Select(i => i % 3 != 1).ToArray(), 1);
            var strata = new ClassStrata([a, b]);
            var random = new SeededRandom(3);
            var bac = new double[2];
            var d = Enumerable.Range(0, 40_000).Select(_ => { strata.Resample(random, bac); return bac[0] - bac[1]; }).ToArray();
            var expected = 2.0 / 3 / (n - 1);
            Assert.InRange(d.Average(), -0.01, 0.01);
            Assert.InRange(d.Select(x => x * x).Average() - d.Average() * d.Average(), expected * 0.97, expected * 1.03);
        }
    }

    [Fact]
    public void Binomial_draws_follow_the_binomial_law_from_the_table_by_inversion_and_by_trials()
    {
        var random = new SeededRandom(11);
        const int draws = 200_000;
        // Made for n = 10: n = 10 reads the alias table, n = 7 walks the probabilities; p = 0.7 is drawn as 7 − Binomial(7, 0.3).
        foreach (var (p, n) in new[] { (0.3, 10), (0.3, 7), (0.7, 10), (0.7, 7) })
        {
            var sampler = new BinomialSampler(p, 10, new double[11], new int[11], 0);
            var seen = new int[n + 1];
            for (var i = 0; i < draws; i++) seen[sampler.Next(random, n)]++;
            for (var k = 0; k <= n; k++)
            {
                var expected = MathNet.Numerics.Distributions.Binomial.PMF(p, n, k);
                Assert.True(Math.Abs(seen[k] / (double)draws - expected) < 5 * Math.Sqrt(expected * (1 - expected) / draws) + 1e-9,
                    $"Binomial({n}, {p}): P({k}) = {expected:0.00000}, drawn {seen[k] / (double)draws:0.00000}");
            }
        }
        var never = new BinomialSampler(0, 5, new double[6], new int[6], 0);
        var always = new BinomialSampler(1, 5, new double[6], new int[6], 0);
        Assert.Equal((0, 5, 0, 3), (never.Next(random, 5), always.Next(random, 5), never.Next(random, 3), always.Next(random, 3)));
        // qⁿ underflows (5,000 · −log 0.6 > 600): counted trial by trial, mean 2,000, standard deviation √1,200 = 34.6.
        var large = new BinomialSampler(0.4, 0, [], [], 0);
        var mean = Enumerable.Range(0, 400).Average(_ => large.Next(random, 5000));
        Assert.InRange(mean, 2000 - 5 * 34.64 / 20, 2000 + 5 * 34.64 / 20);
    }

    [Fact]
    public void Balanced_accuracy_is_the_mean_recall_over_the_classes_present()
    {
        // class 0: 2 of 3 right; class 1: 1 of 1; class 2 absent → (2/3 + 1) / 2.
        var run = new ScoredTitles([0, 0, 0, 1], [true, false, true, true], 3);
        Assert.Equal((2.0 / 3 + 1) / 2, run.BalancedAccuracy(), 12);
        Assert.Equal(1.0, run.BalancedAccuracy([1, 0, 0, 1]), 12); // the wrong title not drawn
    }
}
