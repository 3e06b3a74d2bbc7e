using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate.Statistics;

namespace Lmev.Stages.Aggregate;

/// <summary>
/// Published vs reproduced: per published model, ours with its interval and the difference (Welch's
/// t against the published runs when both sides have two or more, Holm over the models); per
/// like-for-like pair both ran, whether our comparison confirms the published difference.
/// </summary>
internal static class ReferenceCheck
{
    public static ReferenceSummary Of(ReferenceFigures reference, IReadOnlyList<LikeForLike.Model> models, IReadOnlyList<PairComparison> pairs)
    {
        var rows = reference.Models.Select(published =>
        {
            var values = reference.Runs?.GetValueOrDefault(published.Key) ?? [];
            var ours = models.FirstOrDefault(m => m.Stats.Model == published.Key && m.Stats.N > 0);
            var test = ours is null ? null : WelchTest.Run(ours.Bac, values);
            return new ReferenceModel(published.Key, published.Value, values.Length, values, ours?.Stats.Mean, ours?.Stats.Low, ours?.Stats.High,
                ours?.Stats.Mean - published.Value, test?.Low, test?.High, test?.Statistic, test?.Df, test?.P, null, false);
        }).ToList();
        var tested = rows.Where(r => r.P is not null).ToList();
        var adjusted = HolmCorrection.Adjust(tested.Select(r => r.P!.Value).ToList());
        rows = rows.Select(r => tested.IndexOf(r) is var i and >= 0 ? r with { PHolm = adjusted[i], Significant = adjusted[i] < LikeForLike.Alpha } : r).ToList();

        var claims = pairs
            .Where(p => reference.Models.ContainsKey(p.ModelA) && reference.Models.ContainsKey(p.ModelB))
            .Select(p =>
            {
                var published = reference.Models[p.ModelA] - reference.Models[p.ModelB];
                var verdict = !p.Significant ? PublishedClaim.Unsettled
                    : Math.Sign(p.Difference) == Math.Sign(published) ? PublishedClaim.Confirmed : PublishedClaim.Contradicted;
                return new PublishedClaim(p.Factor, p.ModelA, p.ModelB, published, p.Difference, verdict);
            }).ToList();
        return new ReferenceSummary(reference.Source, rows, claims);
    }
}
