namespace Lmev.Training;

/// <summary>Classification scores with scikit-learn's definitions (labels are arbitrary ints).</summary>
public static class ClassificationMetrics
{
    /// <summary>
    /// scikit-learn's <c>balanced_accuracy_score(y_true, y_pred)</c> (adjusted=False): the mean,
    /// over the classes present in <paramref name="yTrue"/>, of each class's recall. A class that
    /// appears only in <paramref name="yPred"/> has no recall and is ignored (its wrong predictions
    /// still lower the recall of the true classes they were taken from).
    /// </summary>
    public static double BalancedAccuracy(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred)
    {
        CheckPair(yTrue, yPred);
        var support = new Dictionary<int, int>();
        var hits = new Dictionary<int, int>();
        for (int i = 0; i < yTrue.Count; i++)
        {
            support[yTrue[i]] = support.GetValueOrDefault(yTrue[i]) + 1;
            if (yTrue[i] == yPred[i]) hits[yTrue[i]] = hits.GetValueOrDefault(yTrue[i]) + 1;
        }
        return support.Sum(c => (double)hits.GetValueOrDefault(c.Key) / c.Value) / support.Count;
    }

    /// <summary>scikit-learn's <c>accuracy_score</c>: the fraction of exact matches.</summary>
    public static double Accuracy(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred)
    {
        CheckPair(yTrue, yPred);
        int hits = 0;
        for (int i = 0; i < yTrue.Count; i++) if (yTrue[i] == yPred[i]) hits++;
        return (double)hits / yTrue.Count;
    }

    /// <summary>
    /// scikit-learn's <c>f1_score(y_true, y_pred, average='macro')</c>: the unweighted mean of the
    /// per-class F1 = 2·tp / (2·tp + fp + fn) over the UNION of the labels in
    /// <paramref name="yTrue"/> and <paramref name="yPred"/> (sklearn's <c>unique_labels</c>), so a
    /// class that is only predicted counts with F1 = 0, unlike <see cref="BalancedAccuracy"/>.
    /// </summary>
    public static double MacroF1(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred)
    {
        CheckPair(yTrue, yPred);
        var tp = new Dictionary<int, int>();
        var fp = new Dictionary<int, int>();
        var fn = new Dictionary<int, int>();
        for (int i = 0; i < yTrue.Count; i++)
        {
            int t = yTrue[i], p = yPred[i];
            if (t == p) tp[t] = tp.GetValueOrDefault(t) + 1;
            else
            {
                fn[t] = fn.GetValueOrDefault(t) + 1;
                fp[p] = fp.GetValueOrDefault(p) + 1;
            }
        }
        var labels = yTrue.Concat(yPred).Distinct().ToList();
        return labels.Sum(c =>
        {
            double twoTp = 2.0 * tp.GetValueOrDefault(c);
            return twoTp / (twoTp + fp.GetValueOrDefault(c) + fn.GetValueOrDefault(c));  // > 0: c occurs
        }) / labels.Count;
    }

    private static void CheckPair(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred)
    {
        if (yTrue.Count != yPred.Count)
            throw new ArgumentException($"y_true has {yTrue.Count} labels but y_pred has {yPred.Count}; they must be the same rows.");
        if (yTrue.Count == 0)
            throw new ArgumentException("y_true and y_pred are empty; a score needs at least one row.");
    }
}
