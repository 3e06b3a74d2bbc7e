namespace Lmev.Contracts.Results;

/// <summary>
/// A like-for-like pair both the study and we ran: the published difference (A − B) and what our
/// comparison of the pair says of it: <c>"confirmed"</c> (ours significant, same sign),
/// <c>"contradicted"</c> (significant, opposite sign) or <c>"unsettled"</c> (not significant).
/// </summary>
public sealed record PublishedClaim(string Factor, string ModelA, string ModelB, double Published, double Ours, string Verdict)
{
    public const string Confirmed = "confirmed";
    public const string Contradicted = "contradicted";
    public const string Unsettled = "unsettled";
}
