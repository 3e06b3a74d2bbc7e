using System.Diagnostics;

namespace Lmev.Training.Tests;

public class TrainerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // One libtorch thread: with more, OpenMP's barriers crawl on a loaded 2-core machine.
    private static readonly MlpSettings Small = new() { Hidden = 64, BatchSize = 64, Epochs = 5, Patience = 3 };
    private const long Seed = 11;
    private static readonly TrainerOptions One = new(Threads: 1);

    [Fact]
    public void Separable_clusters_reach_full_balanced_accuracy()
    {
        var (x, y) = ToyData.Clusters(1200, 8, 6, noise: 0.5, seed: 1);
        var (xv, yv) = ToyData.Clusters(300, 8, 6, noise: 0.5, seed: 2);
        var (xt, yt) = ToyData.Clusters(300, 8, 6, noise: 0.5, seed: 3);
        using var model = Trainer.Train(x, y, xv, yv, 6, Small with { Epochs = 8 }, Seed, One);
        var predictions = model.Predict(xt);
        Assert.True(ClassificationMetrics.BalancedAccuracy(yt, predictions) >= 0.99,
            $"test BAC {ClassificationMetrics.BalancedAccuracy(yt, predictions)}; epochs {string.Join("; ", model.Epochs)}");
        Assert.True(model.Epochs[^1].Loss < model.Epochs[0].Loss);
        Assert.StartsWith("cpu: ", model.Device);
        Assert.Equal(1, model.Threads);
        Assert.All(model.Epochs, e => Assert.True(e.Seconds > 0 && double.IsFinite(e.ValLoss) && e.ValBalancedAccuracy > 0));
    }

    [Fact]
    public void Same_seed_and_threads_give_bit_identical_runs()
    {
        var (x, y) = ToyData.Clusters(640, 16, 10, noise: 2.0, seed: 4);
        var (xv, yv) = ToyData.Clusters(200, 16, 10, noise: 2.0, seed: 5);
        (double[] Losses, int[] Predictions) Run(long seed)
        {
            using var model = Trainer.Train(x, y, xv, yv, 10, Small with { Epochs = 3 }, seed, new TrainerOptions(Threads: 2));
            return (model.Epochs.SelectMany(e => new[] { e.Loss, e.ValLoss, e.ValBalancedAccuracy }).ToArray(), model.Predict(xv));
        }
        var a = Run(7);
        var b = Run(7);
        Assert.Equal(a.Losses.Select(BitConverter.DoubleToInt64Bits), b.Losses.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(a.Predictions, b.Predictions);
        Assert.NotEqual(a.Losses, Run(8).Losses);
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_and_restores_the_best_weights()
    {
        // Validation = the training rows with shifted labels: the better the fit, the worse the
        // validation loss, so it is best after epoch 1 and rises from then on.
        var (x, y) = ToyData.Clusters(512, 8, 4, noise: 0.5, seed: 6);
        var shifted = y.Select(c => (c + 1) % 4).ToArray();
        var seen = new List<EpochRecord>();
        using var model = Trainer.Train(x, y, x, shifted, 4, Small with { Epochs = 20, Patience = 3 }, Seed, One, seen.Add);

        Assert.True(model.StoppedEarly);
        Assert.True(model.RestoredBest);
        Assert.Equal(1, model.BestEpoch);
        Assert.Equal(4, model.Epochs.Count);                   // epoch 1 best, then 3 without improvement
        Assert.Equal(model.Epochs, seen);
        Assert.True(model.Epochs[3].ValLoss > model.Epochs[0].ValLoss);
        // The model now computes exactly epoch 1's validation loss.
        using var source = new DenseBatchSource((Mlp)model.Module, x, TorchSharp.torch.CPU);
        var (loss, predictions) = Trainer.Evaluate(model.Module, source, shifted, 64);
        Assert.Equal(model.Epochs[0].ValLoss, loss);
        Assert.Equal(model.Epochs[0].ValBalancedAccuracy, ClassificationMetrics.BalancedAccuracy(shifted, predictions));
    }

    [Fact]
    public void Keras_legacy_mode_keeps_the_last_weights_when_stopping_did_not_fire()
    {
        var (x, y) = ToyData.Clusters(512, 8, 4, noise: 0.5, seed: 6);
        var shifted = y.Select(c => (c + 1) % 4).ToArray();
        using var model = Trainer.Train(x, y, x, shifted, 4,
            Small with { Epochs = 3, Patience = 3 }, Seed, One with { RestoreBestOnlyWhenStopped = true });
        Assert.False(model.StoppedEarly);
        Assert.False(model.RestoredBest);
        Assert.Equal(3, model.BestEpoch);
    }

    [Fact]
    public void Without_validation_it_trains_every_epoch_and_keeps_the_last_weights()
    {
        var (x, y) = ToyData.Clusters(200, 4, 3, noise: 0.5, seed: 8);
        using var model = Trainer.Train(x, y, null, null, 3, Small with { Epochs = 4 }, Seed, One);
        Assert.Equal(4, model.Epochs.Count);
        Assert.False(model.StoppedEarly);
        Assert.Equal(4, model.BestEpoch);
        Assert.All(model.Epochs, e => Assert.True(double.IsNaN(e.ValLoss) && double.IsNaN(e.ValBalancedAccuracy)));
        using var empty = Trainer.Train(x, y, new FeatureMatrix([], 0, 4), [], 3, Small with { Epochs = 2 }, Seed, One);
        Assert.Equal(2, empty.Epochs.Count);
    }

    [Fact]
    public void A_class_with_one_example_is_fine()
    {
        var (x, y) = ToyData.Clusters(300, 8, 3, noise: 0.5, seed: 9);
        y[0] = 3;   // class 3 has exactly one row
        using var model = Trainer.Train(x, y, x, y, 4, Small with { Epochs = 2 }, Seed, One);
        Assert.Equal(300, model.Predict(x).Length);
    }

    [Fact]
    public void Invalid_inputs_are_refused_with_what_was_expected()
    {
        var (x, y) = ToyData.Clusters(10, 4, 2, noise: 0.5, seed: 10);
        Assert.Contains("10 feature rows but 9 labels",
            Assert.Throws<ArgumentException>(() => Trainer.Train(x, y[..9], null, null, 2, Small, Seed, One)).Message);
        Assert.Contains("row 3 is 5",
            Assert.Throws<ArgumentException>(() => Trainer.Train(x, y.Select((c, i) => i == 3 ? 5 : c).ToArray(), null, null, 2, Small, Seed, One)).Message);
        Assert.Contains("both the validation inputs and their labels",
            Assert.Throws<ArgumentException>(() => Trainer.Train(x, y, x, null, 2, Small, Seed, One)).Message);
        Assert.Contains("dim 3",
            Assert.Throws<ArgumentException>(() => Trainer.Train(x, y, new FeatureMatrix(new float[30], 10, 3), y, 2, Small, Seed, One)).Message);
        var values = new float[40];
        values[13] = float.NaN;
        Assert.Contains("row 3, column 1 is NaN", Assert.Throws<ArgumentException>(() => new FeatureMatrix(values, 10, 4)).Message);
        values[13] = float.PositiveInfinity;
        Assert.Contains("must be finite", Assert.Throws<ArgumentException>(() => new FeatureMatrix(values, 10, 4)).Message);
        Assert.Contains("expected rows × dim = 10 × 5 = 50 values, found 40",
            Assert.Throws<ArgumentException>(() => new FeatureMatrix(new float[40], 10, 5)).Message);
        Assert.Contains("settings.batchSize: expected at least 1, found 0", Assert.Throws<ArgumentException>(() => Trainer.Train(x, y, null, null, 2, Small with { BatchSize = 0 }, Seed, One)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Trainer.Train(new FeatureMatrix([], 0, 4), [], null, null, 2, Small, Seed, One)).Message);
    }

    [Fact]
    public void Memory_does_not_grow_across_epochs()
    {
        // 16 batches per epoch. Two checks after each epoch: the working set after a GC (what the
        // process really keeps), and the tensors created outside any dispose scope (without a
        // scope per batch every batch leaves a dozen behind for the finaliser, which is how
        // memory grows by gigabytes per epoch on a real problem).
        var (x, y) = ToyData.Clusters(4_096, 32, 50, noise: 1.0, seed: 12);
        var (xv, yv) = ToyData.Clusters(512, 32, 50, noise: 1.0, seed: 13);
        var rss = new List<long>();
        var unscoped = new List<long>();
        var statistics = TorchSharp.DisposeScopeManager.Statistics;
        using var model = Trainer.Train(x, y, xv, yv, 50,
            Small with { Hidden = 256, BatchSize = 256, Epochs = 10, Patience = 10 }, Seed, One,
            _ => { unscoped.Add(statistics.CreatedOutsideScopeCount); rss.Add(WorkingSet()); });
        Assert.Equal(10, rss.Count);
        output.WriteLine($"working set after each epoch (MiB): {string.Join(", ", rss.Select(r => r >> 20))}; growth after epoch 1: {(rss.Max() - rss[0]) * 100.0 / rss[0]:F1} %");
        Assert.True(rss.Max() <= rss[0] * 1.2,
            $"working set grew from {rss[0] >> 20} MiB after epoch 1 to {rss.Max() >> 20} MiB: {string.Join(", ", rss.Select(r => r >> 20))} MiB");
        var perEpoch = unscoped.Zip(unscoped.Skip(1), (a, b) => b - a).ToList();
        Assert.True(perEpoch.Max() < 16,
            $"tensors created outside a dispose scope per epoch: {string.Join(", ", perEpoch)} (16 batches per epoch)");
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
