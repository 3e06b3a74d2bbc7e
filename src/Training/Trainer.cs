using System.Diagnostics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

internal sealed record TrainingOutcome(IReadOnlyList<EpochRecord> Epochs, int BestEpoch, bool StoppedEarly, bool RestoredBest);

/// <summary>
/// Trains the study's classifier: Adam, cross-entropy, mini-batches in a seeded order, early
/// stopping on validation loss with the best weights restored (Keras semantics, see
/// <see cref="MlpSettings"/> and <see cref="TrainerOptions"/>).
/// <para>
/// Reproducibility: the seed is applied once at the top of a call (torch.manual_seed for the
/// initial weights and dropout masks; <see cref="SplitMix64"/> for the shuffles). On the CPU, the
/// same seed and the same <see cref="TrainerOptions.Threads"/> give bit-identical losses and
/// predictions. Seed and thread count are process-wide libtorch state: train one model at a time
/// per process. On CUDA, results are close but not promised bit-identical.
/// </para>
/// <para>
/// Without a validation set (null or 0 rows) training runs <see cref="MlpSettings.Epochs"/>
/// epochs with no early stopping, records NaN validation figures and keeps the last weights.
/// A class with a single example is fine (nothing is stratified); a class with none in the
/// validation set simply does not enter its balanced accuracy.
/// </para>
/// </summary>
public static class Trainer
{
    /// <summary>Adam's epsilon: Keras' default (torch's is 1e-8), as the study's optimiser had it.</summary>
    public const double AdamEpsilon = 1e-7;

    /// <summary>Frozen mode: an <see cref="Mlp"/> on precomputed embeddings.</summary>
    /// <param name="train">[n, dim] training features</param>
    /// <param name="trainLabels">[n] class ids in [0, classes)</param>
    /// <param name="validation">[m, dim] validation features, or null</param>
    /// <param name="validationLabels">[m] class ids, or null</param>
    /// <param name="settings">the study's MLP protocol</param>
    /// <param name="seed">seeds torch (initial weights, dropout) and the per-epoch shuffles</param>
    /// <param name="options">how it runs (threads, device, where the best weights wait); null: the defaults</param>
    /// <param name="onEpoch">called after each epoch (progress reporting), on the training thread</param>
    public static TrainedModel<FeatureMatrix> Train(FeatureMatrix train, int[] trainLabels,
        FeatureMatrix? validation, int[]? validationLabels, int classes, MlpSettings settings, long seed, TrainerOptions? options = null,
        Action<EpochRecord>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckLabels("training", train.Rows, trainLabels, classes);
        if (validation != null && validation.Dim != train.Dim)
            throw new ArgumentException($"Validation features have dim {validation.Dim} but training features have dim {train.Dim}.");
        CheckValidation(validation?.Rows, validationLabels, classes);
        options ??= new TrainerOptions();
        var device = Begin(settings, seed, options);
        var model = new Mlp(train.Dim, classes, settings.Hidden, settings.Dropout);
        model.to(device);
        IBatchSource Bind(FeatureMatrix input)
        {
            if (input.Dim != train.Dim)
                throw new ArgumentException($"Features have dim {input.Dim} but the model was trained on dim {train.Dim}.");
            return new DenseBatchSource(model, input, device);
        }
        return Run(model, Bind, train, trainLabels, validation, validationLabels, settings, seed, options, device, onEpoch);
    }

    /// <summary>Fine-tune mode: a <see cref="BagOfEmbeddingsClassifier"/> whose table starts as <paramref name="table"/>.</summary>
    /// <param name="table">[vocabulary rows, dim] initial embedding table (copied; the caller keeps its array alive)</param>
    /// <param name="train">n rows of token ids into <paramref name="table"/></param>
    public static TrainedModel<TokenBags> FineTune(FeatureMatrix table, TokenBags train, int[] trainLabels,
        TokenBags? validation, int[]? validationLabels, int classes, MlpSettings settings, long seed, TrainerOptions? options = null,
        Action<EpochRecord>? onEpoch = null, BagCombiner combiner = BagCombiner.SqrtN)
    {
        ArgumentNullException.ThrowIfNull(table);
        return FineTune(() => table, train, trainLabels, validation, validationLabels, classes, settings, seed, options, onEpoch, combiner);
    }

    /// <summary>
    /// Fine-tune mode, taking the initial table from <paramref name="loadTable"/> (called once). The
    /// model copies it into its own tensor; if the caller keeps no reference to what
    /// <paramref name="loadTable"/> returned, that managed copy is collected before training, so an
    /// NNLM table (976,640 × 128, 500 MB) is not held twice through training.
    /// </summary>
    /// <param name="loadTable">returns the [vocabulary rows, dim] initial embedding table</param>
    /// <param name="train">n rows of token ids into the table</param>
    /// <param name="combiner">how a row's token vectors are pooled: the model's own combiner</param>
    public static TrainedModel<TokenBags> FineTune(Func<FeatureMatrix> loadTable, TokenBags train, int[] trainLabels,
        TokenBags? validation, int[]? validationLabels, int classes, MlpSettings settings, long seed, TrainerOptions? options = null,
        Action<EpochRecord>? onEpoch = null, BagCombiner combiner = BagCombiner.SqrtN)
    {
        ArgumentNullException.ThrowIfNull(loadTable);
        ArgumentNullException.ThrowIfNull(train);
        CheckLabels("training", train.Rows, trainLabels, classes);
        CheckValidation(validation?.Rows, validationLabels, classes);
        options ??= new TrainerOptions();
        var device = Begin(settings, seed, options);
        GlibcHeap.LimitRetention();   // the step's freed blocks go back to the system, not kept beside the table (see GlibcHeap)
        var model = NewClassifier(loadTable, classes, settings, combiner);
        // The table's managed array is garbage now (unless the caller holds it): a full, compacting
        // collection gives its pages back before training rather than whenever the next one happens.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        int tableRows = model.TableRows;
        try
        {
            CheckIds("training", train, tableRows);
            if (validation != null) CheckIds("validation", validation, tableRows);
            model.to(device);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        IBatchSource Bind(TokenBags input)
        {
            CheckIds("input", input, tableRows);
            return new BagBatchSource(model, input, device);
        }
        return Run(model, Bind, train, trainLabels, validation, validationLabels, settings, seed, options, device, onEpoch);
    }

    /// <summary>Not inlined: no frame of the caller's ever holds the table, so it can be collected once copied.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BagOfEmbeddingsClassifier NewClassifier(Func<FeatureMatrix> loadTable, int classes, MlpSettings settings, BagCombiner combiner) =>
        new(loadTable() ?? throw new ArgumentException("The table loader returned null."), classes, settings.Hidden, settings.Dropout, combiner);

    /// <summary>
    /// Seed, threads and device, set once before any weight exists. The settings were checked where they were read (an
    /// experiment's file); one that breaks a rule here is a programming error, said with every rule it breaks.
    /// </summary>
    private static Device Begin(MlpSettings settings, long seed, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Problems("settings").ToList() is { Count: > 0 } problems)
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"{p.Key}: {p.Problem}")));
        if (options.Threads < 0) throw new ArgumentException($"Threads must be >= 0, found {options.Threads}.");
        TorchRuntime.EnsureLoaded();
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        var device = TorchRuntime.SelectDevice(options.UseCuda);
        torch.manual_seed(seed);
        return device;
    }

    private static TrainedModel<TInput> Run<TInput>(nn.Module model, Func<TInput, IBatchSource> bind,
        TInput train, int[] trainLabels, TInput? validation, int[]? validationLabels, MlpSettings p, long seed, TrainerOptions options, Device device,
        Action<EpochRecord>? onEpoch) where TInput : class
    {
        try
        {
            var clock = Stopwatch.StartNew();
            using var trainSource = bind(train);
            using var validationSource = validation != null && validationLabels is { Length: > 0 } ? bind(validation) : null;
            var outcome = Loop(model, trainSource, trainLabels, validationSource, validationLabels, p, seed, options, device, onEpoch);
            return new TrainedModel<TInput>(model, bind, p.BatchSize, outcome, TorchRuntime.DeviceName(device),
                torch.get_num_threads(), clock.Elapsed.TotalSeconds);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static TrainingOutcome Loop(nn.Module model, IBatchSource train, int[] trainLabels,
        IBatchSource? validation, int[]? validationLabels, MlpSettings p, long seed, TrainerOptions options, Device device, Action<EpochRecord>? onEpoch)
    {
        using var optimizer = new AdamUpdate(model.parameters(), p.LearningRate, AdamEpsilon);
        var bestOnDisk = false;
        var shuffle = new SplitMix64(unchecked((ulong)seed));
        var epochs = new List<EpochRecord>();
        Dictionary<string, Tensor>? best = null;
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, wait = 0;
        bool stopped = false;
        try
        {
            for (int epoch = 1; epoch <= p.Epochs && !stopped; epoch++)
            {
                var clock = Stopwatch.StartNew();
                model.train();
                long[] order = shuffle.Permutation(train.Rows);
                double lossSum = 0;
                for (int start = 0; start < train.Rows; start += p.BatchSize)
                {
                    using var scope = torch.NewDisposeScope();   // frees this batch's tensors
                    var rows = new ArraySegment<long>(order, start, Math.Min(p.BatchSize, train.Rows - start));
                    var logits = train.Logits(rows);                                    // [batch, classes]
                    var loss = nn.functional.cross_entropy(logits, Targets(trainLabels, rows, device));   // mean over batch
                    logits.Dispose();   // backward reads log_softmax's output, not the logits: [batch, classes] freed before it runs
                    loss.backward();
                    optimizer.Step();
                    // Gradients dropped now, not before the next backward: the next forward's activations then reuse
                    // their memory instead of being placed around them (the table's gradient differs in size every step).
                    optimizer.ZeroGrad();
                    lossSum += loss.item<float>() * (double)rows.Count;
                }

                double valLoss = double.NaN, valBac = double.NaN;
                if (validation != null)
                {
                    var (loss, predictions) = Evaluate(model, validation, validationLabels, p.BatchSize);
                    valLoss = loss;
                    valBac = ClassificationMetrics.BalancedAccuracy(validationLabels!, predictions);
                    if (valLoss < bestLoss)                 // Keras: np.less(current - min_delta, best), min_delta = 0
                    {
                        bestLoss = valLoss; bestEpoch = epoch; wait = 0;
                        Dispose(best);
                        if (options.SnapshotPath is { } path) { BestWeightsFile.Save(model, path, optimizer.ChangedRows); bestOnDisk = true; }
                        else best = Snapshot(model);
                    }
                    else if (++wait >= p.Patience) stopped = true;
                }
                epochs.Add(new EpochRecord(epoch, lossSum / train.Rows, valLoss, valBac, clock.Elapsed.TotalSeconds));
                onEpoch?.Invoke(epochs[^1]);
            }

            bool keepBest = (best != null || bestOnDisk) && (stopped || !options.RestoreBestOnlyWhenStopped);
            int held = keepBest ? bestEpoch : epochs.Count;
            bool rolledBack = held != epochs.Count;
            if (rolledBack)
            {
                optimizer.Dispose(); // Adam's moments (twice the table when fine-tuning) are freed before the weights are read back
                if (bestOnDisk) BestWeightsFile.Restore(model, options.SnapshotPath!, optimizer.ChangedRows);
                else Restore(model, best!);
            }
            return new TrainingOutcome(epochs, held, stopped, rolledBack);
        }
        finally { Dispose(best); }
    }

    /// <summary>
    /// Mean cross-entropy (NaN without labels) and argmax predictions over all rows, in order,
    /// in eval mode (dropout off) and without gradients; the module's previous mode is restored.
    /// </summary>
    internal static (double Loss, int[] Predictions) Evaluate(nn.Module model, IBatchSource source, int[]? labels, int batchSize)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            var predictions = new int[source.Rows];
            long[] order = new long[source.Rows];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            double lossSum = 0;
            for (int start = 0; start < source.Rows; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var rows = new ArraySegment<long>(order, start, Math.Min(batchSize, source.Rows - start));
                var logits = source.Logits(rows);                                        // [batch, classes]
                if (labels != null)
                    lossSum += nn.functional.cross_entropy(logits, Targets(labels, rows, logits.device),
                        reduction: nn.Reduction.Sum).item<float>();
                var argmax = logits.argmax(1).cpu().data<long>().ToArray();            // [batch]
                for (int i = 0; i < argmax.Length; i++) predictions[start + i] = (int)argmax[i];
            }
            return (labels != null ? lossSum / source.Rows : double.NaN, predictions);
        }
        finally { model.train(wasTraining); }
    }

    /// <returns>[batch] int64 class ids of the given rows</returns>
    private static Tensor Targets(int[] labels, ArraySegment<long> rows, Device device)
    {
        var batch = new long[rows.Count];
        for (int i = 0; i < batch.Length; i++) batch[i] = labels[rows[i]];
        return torch.tensor(batch, device: device);
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void Restore(nn.Module model, Dictionary<string, Tensor> snapshot)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in model.state_dict())
            tensor.copy_(snapshot[name]);
    }

    private static void Dispose(Dictionary<string, Tensor>? snapshot)
    {
        if (snapshot == null) return;
        foreach (var tensor in snapshot.Values) tensor.Dispose();
        snapshot.Clear();
    }

    private static void CheckLabels(string split, int rows, int[]? labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (labels == null) throw new ArgumentNullException(nameof(labels), $"The {split} labels are missing.");
        if (labels.Length != rows)
            throw new ArgumentException($"The {split} set has {rows} feature rows but {labels.Length} labels; they must match row for row.");
        if (split == "training" && rows == 0)
            throw new ArgumentException("The training set is empty.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"The {split} label of row {i} is {labels[i]}; class ids must be in [0, {classes}).");
    }

    private static void CheckValidation(int? rows, int[]? labels, int classes)
    {
        if (rows == null && labels == null) return;
        if (rows == null || labels == null)
            throw new ArgumentException("Give both the validation inputs and their labels, or neither.");
        CheckLabels("validation", rows.Value, labels, classes);
    }

    private static void CheckIds(string split, TokenBags bags, int tableRows)
    {
        long max = bags.MaxId;
        if (max >= tableRows)
            throw new ArgumentException($"The {split} token bags use id {max}, but the embedding table has only {tableRows} rows.");
    }
}
