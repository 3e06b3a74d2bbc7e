namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// A two-sided test of a difference (A − B): the difference, its 95 % interval, the test's statistic,
/// its degrees of freedom (t-tests) and p-value. <see cref="Statistic"/> and <see cref="Df"/> are null
/// for a bootstrap.
/// </summary>
public sealed record TestOutcome(double Difference, double Low, double High, double? Statistic, double? Df, double P);
