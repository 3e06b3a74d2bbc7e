namespace Lmev.Stages.Aggregate;

/// <summary>
/// Published figures to compare against: mean test balanced accuracy per model (keyed by our model
/// names) and per language ("es", "en"), and where they come from.
/// </summary>
public sealed record ReferenceFigures(string Source, SortedDictionary<string, double> Models, SortedDictionary<string, double> Languages);
