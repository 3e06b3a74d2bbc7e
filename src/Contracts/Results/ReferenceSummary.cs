namespace Lmev.Contracts.Results;

/// <summary>Our results beside a published study's: per model, and each published like-for-like difference.</summary>
public sealed record ReferenceSummary(string Source, IReadOnlyList<ReferenceModel> Models, IReadOnlyList<PublishedClaim> Claims);
