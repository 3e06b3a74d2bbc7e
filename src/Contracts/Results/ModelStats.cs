namespace Lmev.Contracts.Results;

/// <summary>
/// One model's test balanced accuracy over its usable runs, with what the model is (for pairing) and
/// a 95 % confidence interval of its mean: <see cref="Interval"/> <c>"t"</c> (Student's t over runs,
/// n ≥ 2) or <c>"bootstrap"</c> (one run: a bootstrap over its test titles); null when neither is possible.
/// </summary>
public sealed record ModelStats(
    string Model,
    string? Kind,
    string? Language,
    int? Dim,
    bool? Normalization,
    string? Mode,
    int N,
    double? Mean,
    double? Std,
    double? Low,
    double? High,
    string? Interval,
    double? Min,
    double? Max,
    double? MeanTrainSeconds,
    int Excluded);
