namespace Lmev.Training;

/// <summary>
/// The study's MLP protocol: what experiments/*.json's <c>train</c> group says of the classifier (Dense <see cref="Hidden"/> ReLU →
/// Dropout → Dense <see cref="Hidden"/> ReLU → Dropout → Dense classes; Adam; early stopping on validation loss). One record from
/// the JSON to the trainer: it is read from the file, checked once there (<see cref="Problems"/>), held as is in the Train stage's
/// cache key, and given to <see cref="Trainer"/> unchanged. Defaults are the study's (../shared/data/README.md).
/// </summary>
public record MlpSettings
{
    /// <summary>Upper bound on epochs (early stopping may end sooner).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Rows per optimiser step (the last batch of an epoch may be smaller).</summary>
    public int BatchSize { get; init; } = 4096;

    /// <summary>Dropout rate after each hidden layer.</summary>
    public double Dropout { get; init; } = 0.25;

    /// <summary>Width of both hidden layers.</summary>
    public int Hidden { get; init; } = 512;

    /// <summary>Adam's step size.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Stop once the validation loss has not improved (strictly) for this many epochs (Keras' EarlyStopping, min_delta 0).</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Just the MLP's settings, when this is a record that holds more (an experiment's <c>train</c> group).</summary>
    public MlpSettings Mlp() => new(this);

    /// <summary>Every value that breaks a rule, as (JSON path under <paramref name="group"/>, what was expected and found).</summary>
    public IEnumerable<(string Key, string Problem)> Problems(string group)
    {
        var problems = new List<(string, string)>();
        void Check(bool ok, string key, string expected, object found)
        {
            if (!ok) problems.Add(($"{group}.{key}", $"expected {expected}, found {found}"));
        }
        Check(Epochs >= 1, "epochs", "at least 1", Epochs);
        Check(BatchSize >= 1, "batchSize", "at least 1", BatchSize);
        Check(Dropout is >= 0 and < 1, "dropout", "a probability in [0, 1)", Dropout);
        Check(Hidden >= 1, "hidden", "at least 1", Hidden);
        Check(LearningRate > 0 && double.IsFinite(LearningRate), "learningRate", "a positive number", LearningRate);
        Check(Patience >= 1, "patience", "at least 1", Patience);
        return problems;
    }
}

/// <summary>
/// How a training run is carried out, which its results do not depend on beyond what is recorded: never in a cache key.
/// </summary>
/// <param name="Threads">libtorch intra-op threads; 0 leaves libtorch's default. Bit-identical reruns need the same count.</param>
/// <param name="UseCuda">Train on CUDA (the device used is recorded).</param>
/// <param name="SnapshotPath">A file to keep the best epoch's weights in, instead of a copy in (device) memory: for a fine-tuned
/// NNLM table that copy is as large as the table. Null: in memory. Bit-identical either way.</param>
/// <param name="RestoreBestOnlyWhenStopped">false (the study's): the best epoch's weights are always restored. true: only when
/// early stopping fired, as tf.keras' EarlyStopping(restore_best_weights=True) did (keras-team/keras#12511); for tests of it.</param>
public sealed record TrainerOptions(int Threads = 0, bool UseCuda = false, string? SnapshotPath = null, bool RestoreBestOnlyWhenStopped = false);
