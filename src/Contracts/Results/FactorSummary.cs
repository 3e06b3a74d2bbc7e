namespace Lmev.Contracts.Results;

/// <summary>
/// One factor (<c>language</c>, <c>dim</c>, <c>normalization</c>, <c>mode</c>) summarised over its
/// like-for-like pairs of one pair of levels: how many pairs, in how many A or B was significantly
/// better (Holm, 5 %), and the mean of the pairs' differences (a contrast of matched models, never a
/// difference of pooled means). <see cref="Unpaired"/>: the models that took part in no pair of the factor.
/// </summary>
public sealed record FactorSummary(
    string Factor,
    string LevelA,
    string LevelB,
    int Pairs,
    int SignificantA,
    int SignificantB,
    double? MeanDifference,
    IReadOnlyList<string> Unpaired);
