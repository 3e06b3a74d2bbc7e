using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training.FastText;

/// <summary>
/// Trains <see cref="FastTextClassifier"/> as fastText's <c>supervised</c> command does
/// (src/model.cc <c>Model::update</c>, src/loss.cc <c>SoftmaxLoss</c>): softmax cross-entropy,
/// plain SGD whose rate falls linearly from <c>lr</c> to 0 over all updates
/// (<see cref="FastTextSchedule"/>), <c>epochs</c> passes, the last weights kept (fastText has no
/// early stopping; the validation loss and balanced accuracy are recorded after every epoch).
/// <para>
/// Per batch, with p the softmax and y the one-hot labels, every title's gradient is added at the full
/// rate, as fastText adds each title's: the output layer takes <c>−lr·(p − y)ᵀ·hidden</c>, and each
/// title's rows take <c>−lr·(p − y)·W / n</c> (n: its row count; fastText's <c>normalizeGradient</c>),
/// both gradients computed from the weights before the update, as fastText does. Only the rows the
/// batch names are written (<c>index_add_</c>): a 2,000,000-row table costs nothing per update beyond
/// its batch's rows.
/// </para>
/// <para>
/// Reproducibility: the input table is drawn from torch's generator seeded once, the batch order from
/// <see cref="SplitMix64"/>; on the CPU the same seed and threads give bit-identical runs (fastText's
/// own Hogwild threads do not).
/// </para>
/// </summary>
public static class FastTextTrainer
{
    public static TrainedModel<TokenBags> Train(FastTextDictionary dictionary, TokenBags train, int[] trainLabels,
        TokenBags? validation, int[]? validationLabels, int classes, FastTextSettings settings, long seed, int threads = 0,
        bool useCuda = false, Action<EpochRecord>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        settings.Validate();
        if (train.Rows == 0) throw new ArgumentException("The training set is empty.");
        if (trainLabels.Length != train.Rows) throw new ArgumentException($"{train.Rows} training titles but {trainLabels.Length} labels.");
        if (trainLabels.Any(l => (uint)l >= (uint)classes)) throw new ArgumentException($"Training labels must be in [0, {classes}).");
        foreach (var (bags, name) in new[] { (train, "training"), (validation, "validation") })
            if (bags is not null && bags.MaxId >= dictionary.Rows)
                throw new ArgumentException($"The {name} titles use row {bags.MaxId}, but the table has {dictionary.Rows} rows.");

        TorchRuntime.EnsureLoaded();
        if (threads > 0) torch.set_num_threads(threads);
        var device = TorchRuntime.SelectDevice(useCuda);
        torch.manual_seed(seed);
        var model = new FastTextClassifier(dictionary.Rows, settings.Dim, classes);
        try
        {
            model.to(device);
            var clock = Stopwatch.StartNew();
            var epochs = Loop(model, train, trainLabels, validation, validationLabels, settings, seed, device, onEpoch);
            var outcome = new TrainingOutcome(epochs, epochs.Count, StoppedEarly: false, RestoredBest: false);
            return new TrainedModel<TokenBags>(model, bags => new FastTextBatchSource(model, bags, device), settings.BatchSize, outcome,
                TorchRuntime.DeviceName(device), torch.get_num_threads(), clock.Elapsed.TotalSeconds);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static List<EpochRecord> Loop(FastTextClassifier model, TokenBags train, int[] trainLabels,
        TokenBags? validation, int[]? validationLabels, FastTextSettings s, long seed, Device device, Action<EpochRecord>? onEpoch)
    {
        var shuffle = new SplitMix64(unchecked((ulong)seed));
        long perEpoch = (train.Rows + s.BatchSize - 1) / s.BatchSize, total = perEpoch * s.Epochs, step = 0;
        var epochs = new List<EpochRecord>();
        using var validationSource = validation is { Rows: > 0 } && validationLabels is { Length: > 0 } ? new FastTextBatchSource(model, validation, device) : null;
        for (int epoch = 1; epoch <= s.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            long[] order = shuffle.Permutation(train.Rows);
            double lossSum = 0;
            for (int start = 0; start < train.Rows; start += s.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var rows = new ArraySegment<long>(order, start, Math.Min(s.BatchSize, train.Rows - start));
                var batch = FastTextBatch.Of(train, rows, device);
                var labels = new long[rows.Count];
                for (int i = 0; i < labels.Length; i++) labels[i] = trainLabels[rows[i]];
                lossSum += Step(model, batch, tensor(labels, device: device), FastTextSchedule.Rate(s.LearningRate, step++, total));
            }
            double valLoss = double.NaN, valBac = double.NaN;
            if (validationSource is not null)
            {
                var (loss, predictions) = Trainer.Evaluate(model, validationSource, validationLabels, s.BatchSize * 8);
                valLoss = loss;
                valBac = ClassificationMetrics.BalancedAccuracy(validationLabels!, predictions);
            }
            epochs.Add(new EpochRecord(epoch, lossSum / train.Rows, valLoss, valBac, clock.Elapsed.TotalSeconds));
            onEpoch?.Invoke(epochs[^1]);
        }
        return epochs;
    }

    /// <summary>One SGD update on a batch at rate <paramref name="lr"/>; writes only the batch's rows of the input table.</summary>
    /// <param name="labels">[batch] int64</param>
    /// <returns>the batch's summed cross-entropy before the update</returns>
    internal static double Step(FastTextClassifier model, FastTextBatch batch, Tensor labels, double lr)
    {
        using var noGrad = torch.no_grad();
        var hidden = model.Hidden(batch.Ids, batch.Titles, batch.Counts);       // [batch, dim]
        var logp = model.Logits(hidden).log_softmax(1);                         // [batch, classes]
        var target = labels.unsqueeze(1);                                       // [batch, 1]
        double loss = -logp.gather(1, target).sum().item<float>();
        var delta = logp.exp_().scatter_add_(1, target, full_like(target, -1f, dtype: ScalarType.Float32));   // p − y  [batch, classes]
        var perTitle = delta.mm(model.Output) / batch.Counts.unsqueeze(1);     // [batch, dim], with W before its update
        model.Output.addmm_(delta.t(), hidden, beta: 1f, alpha: (float)-lr);            // W −= lr·(p − y)ᵀ·hidden   [classes, dim]
        model.Input.index_add_(0, batch.Ids, perTitle.index_select(0, batch.Titles), (float)-lr);   // each row −= lr·grad/n   [tokens, dim]
        return loss;
    }
}
