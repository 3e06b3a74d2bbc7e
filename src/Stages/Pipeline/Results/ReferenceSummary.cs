namespace Lmev.Pipeline.Results;

/// <summary>Our means next to a published study's, per model and per language.</summary>
public sealed record ReferenceSummary(string Source, IReadOnlyList<ReferenceComparison> Models, IReadOnlyList<ReferenceComparison> Languages);
