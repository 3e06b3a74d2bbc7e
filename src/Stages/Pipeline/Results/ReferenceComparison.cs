namespace Lmev.Pipeline.Results;

/// <summary>
/// One published figure beside ours: <see cref="Ours"/> is null when we have no usable run of that
/// model or language, and so is <see cref="Difference"/> (ours − theirs).
/// </summary>
public sealed record ReferenceComparison(string Key, double? Ours, double Theirs, double? Difference);
