namespace Lmev.Contracts.Results;

/// <summary>
/// One published model beside ours: the published mean (of <see cref="PublishedRuns"/> runs, 0 when only
/// the mean was published; the runs' values in <see cref="PublishedValues"/>), our mean and its 95 % interval (null without usable runs), ours − published,
/// and, when both sides have two runs or more, Welch's test of that difference (Holm over the models).
/// </summary>
public sealed record ReferenceModel(
    string Model,
    double Published,
    int PublishedRuns,
    IReadOnlyList<double> PublishedValues,
    double? Ours,
    double? OursLow,
    double? OursHigh,
    double? Difference,
    double? Low,
    double? High,
    double? Statistic,
    double? Df,
    double? P,
    double? PHolm,
    bool Significant);
