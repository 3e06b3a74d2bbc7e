namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// One run's test predictions reduced to what balanced accuracy needs: each title's true class (an
/// index below <see cref="Classes"/>) and whether the run predicted it.
/// </summary>
public sealed record ScoredTitles(int[] Truth, bool[] Correct, int Classes)
{
    /// <summary>scikit-learn's balanced accuracy with title i counted <paramref name="weight"/>[i] times: the mean recall over the classes present.</summary>
    public double BalancedAccuracy(int[]? weight = null)
    {
        var total = new long[Classes];
        var hit = new long[Classes];
        for (var i = 0; i < Truth.Length; i++)
        {
            var w = weight?[i] ?? 1;
            if (w == 0) continue;
            total[Truth[i]] += w;
            if (Correct[i]) hit[Truth[i]] += w;
        }
        double sum = 0;
        var present = 0;
        for (var c = 0; c < Classes; c++)
        {
            if (total[c] == 0) continue;
            sum += hit[c] / (double)total[c];
            present++;
        }
        return present == 0 ? double.NaN : sum / present;
    }

    /// <summary>True when both runs scored the same titles in the same order (a shared split).</summary>
    public bool SameTitles(ScoredTitles other) => Classes == other.Classes && Truth.AsSpan().SequenceEqual(other.Truth);
}
