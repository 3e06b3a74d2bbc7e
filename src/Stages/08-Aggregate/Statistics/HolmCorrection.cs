namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// Holm's step-down adjustment (Holm 1979) of m p-values for a family-wise error rate: sorted
/// ascending, p₍ᵢ₎ becomes max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎); a comparison is significant at
/// level α when its adjusted p-value is below α. Returned in the input's order.
/// </summary>
public static class HolmCorrection
{
    public static double[] Adjust(IReadOnlyList<double> p)
    {
        var m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => p[i]).ThenBy(i => i).ToArray();
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * p[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }
}
