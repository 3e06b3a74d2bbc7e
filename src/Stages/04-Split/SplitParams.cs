namespace Lmev.Stages.Split;

/// <summary>
/// The study's split: <paramref name="TestRows"/> rows for test, then <paramref name="ValidationFraction"/>
/// of the rest for validation (Keras' <c>validation_split</c>: the last 5 %), the remainder for training.
/// </summary>
public sealed record SplitParams(int TestRows, double ValidationFraction = 0.05, ulong Seed = 1);
