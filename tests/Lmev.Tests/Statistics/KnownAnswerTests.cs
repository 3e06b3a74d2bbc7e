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
        // One class, 4 titles of which 3 are right: a resample's BAC is K/4 with K ~ Binomial(4, 3/4):
        // P(K ≤ 0) = 1/256 = 0.0039 < 0.025 < P(K ≤ 1) = 13/256 = 0.0508, and P(K ≤ 3) = 175/256 = 0.684 < 0.975,
        // so the exact bootstrap's 2.5 % and 97.5 % points are 1/4 and 4/4.
        var run = new ScoredTitles([0, 0, 0, 0], [true, true, true, false], 1);
        var (low, high) = TitleBootstrap.Interval([run], 20000, new SeededRandom(42));
        Assert.Equal(0.25, low, Tol);
        Assert.Equal(1.0, high, Tol);

        // Paired: a perfect model against that run; the difference 1 − K/4 has 2.5 % / 97.5 % points 0 and 3/4,
        // and P(difference ≤ 0) = P(K = 4) = 81/256, so p ≈ 2 · 0.3164 = 0.633 (Monte Carlo, 20,000 resamples).
        var perfect = new ScoredTitles([0, 0, 0, 0], [true, true, true, true], 1);
        var paired = TitleBootstrap.Paired([perfect], [run], 0.25, 20000, new SeededRandom(42));
        Assert.Equal((0.0, 0.75), (paired.Low, paired.High));
        Assert.InRange(paired.P, 0.60, 0.66);
        Assert.Equal(paired, TitleBootstrap.Paired([perfect], [run], 0.25, 20000, new SeededRandom(42))); // same seed, same answer
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
