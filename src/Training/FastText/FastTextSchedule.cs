namespace Lmev.Training.FastText;

/// <summary>
/// fastText's learning rate: <c>lr · (1 − progress)</c> (src/fasttext.cc, <c>trainThread</c>), where
/// progress is the share of the training done before the update. fastText measures it in tokens
/// read; lmev in updates, so that it depends on nothing but the number of batches.
/// </summary>
public static class FastTextSchedule
{
    /// <summary>The rate of update <paramref name="step"/> (0-based) of <paramref name="total"/>; exactly 0 at <c>step = total</c>, after the last.</summary>
    public static double Rate(double lr, long step, long total)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, total);
        return lr * (total - step) / total;
    }
}
