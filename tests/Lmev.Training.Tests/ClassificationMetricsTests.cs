namespace Lmev.Training.Tests;

public class ClassificationMetricsTests
{
    // Recalls: class 0 2/3, class 1 0/1, class 2 1/1 -> 5/9.
    [Fact]
    public void Balanced_accuracy_is_the_mean_recall_over_true_classes() =>
        Assert.Equal(5.0 / 9.0, ClassificationMetrics.BalancedAccuracy([0, 1, 2, 0, 0], [0, 2, 2, 0, 1]), 12);

    // Class 2 is only predicted: sklearn ignores it (recalls 1/2 and 2/2).
    [Fact]
    public void Balanced_accuracy_ignores_classes_that_are_only_predicted() =>
        Assert.Equal(0.75, ClassificationMetrics.BalancedAccuracy([0, 0, 1, 1], [0, 2, 1, 1]), 12);

    [Fact]
    public void Balanced_accuracy_weighs_classes_not_rows() =>
        // 9 of class 0 all right, 1 of class 1 wrong: accuracy 0.9, balanced 0.5.
        Assert.Equal(0.5, ClassificationMetrics.BalancedAccuracy([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 12);

    [Fact]
    public void Accuracy_is_the_fraction_of_matches() =>
        Assert.Equal(0.6, ClassificationMetrics.Accuracy([0, 1, 2, 0, 0], [0, 2, 2, 0, 1]), 12);

    // F1: class 0 (tp 2, fp 0, fn 1) 4/5; class 1 (0, 1, 1) 0; class 2 (1, 1, 0) 2/3 -> 22/45.
    [Fact]
    public void Macro_f1_averages_per_class_f1() =>
        Assert.Equal(22.0 / 45.0, ClassificationMetrics.MacroF1([0, 1, 2, 0, 0], [0, 2, 2, 0, 1]), 12);

    // Union of labels: class 2 (only predicted) counts with F1 0: (2/3 + 1 + 0) / 3.
    [Fact]
    public void Macro_f1_averages_over_the_union_of_true_and_predicted_labels() =>
        Assert.Equal(5.0 / 9.0, ClassificationMetrics.MacroF1([0, 0, 1, 1], [0, 2, 1, 1]), 12);

    [Fact]
    public void Perfect_predictions_score_one()
    {
        int[] y = [3, 1, 4, 1, 5, 9, 2, 6];
        Assert.Equal(1.0, ClassificationMetrics.BalancedAccuracy(y, y));
        Assert.Equal(1.0, ClassificationMetrics.Accuracy(y, y));
        Assert.Equal(1.0, ClassificationMetrics.MacroF1(y, y));
    }

    [Fact]
    public void Mismatched_or_empty_inputs_are_refused()
    {
        Assert.Contains("3 labels but y_pred has 2", Assert.Throws<ArgumentException>(() => ClassificationMetrics.BalancedAccuracy([0, 1, 2], [0, 1])).Message);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.MacroF1([], []));
    }
}
