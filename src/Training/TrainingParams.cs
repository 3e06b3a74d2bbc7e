namespace Lmev.Training;

/// <summary>Hyper-parameters of one training run. Defaults are the study's protocol.</summary>
public sealed record TrainingParams
{
    /// <summary>Width of both hidden layers.</summary>
    public int HiddenSize { get; init; } = 512;
    /// <summary>Dropout rate after each hidden layer.</summary>
    public double Dropout { get; init; } = 0.25;
    /// <summary>Rows per optimiser step (the last batch of an epoch may be smaller).</summary>
    public int BatchSize { get; init; } = 4096;
    /// <summary>Upper bound on epochs.</summary>
    public int MaxEpochs { get; init; } = 10;
    /// <summary>Stop once the validation loss has not improved (strictly) for this many epochs (Keras EarlyStopping, min_delta 0).</summary>
    public int Patience { get; init; } = 3;
    /// <summary>Adam step size.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Adam epsilon: Keras' default 1e-7 (torch's is 1e-8).</summary>
    public double AdamEpsilon { get; init; } = 1e-7;
    /// <summary>Seeds torch (initial weights, dropout) and the per-epoch shuffles.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>libtorch intra-op threads; 0 leaves libtorch's default. Bit-identical reruns need the same count.</summary>
    public int Threads { get; init; }
    /// <summary>Train on CUDA when it is present (CPU otherwise; the device used is recorded).</summary>
    public bool UseCuda { get; init; }
    /// <summary>
    /// false (default): the best epoch's weights are always restored. true: only when early
    /// stopping fired, as tf.keras' EarlyStopping(restore_best_weights=True) did (keras-team/keras#12511).
    /// </summary>
    public bool RestoreBestOnlyWhenStopped { get; init; }

    /// <summary>
    /// A file to keep the best epoch's weights in, instead of a copy in (device) memory: for a fine-tuned
    /// NNLM table that copy is as large as the table itself. Null: in memory.
    /// </summary>
    public string? SnapshotPath { get; init; }

    public void Validate()
    {
        if (HiddenSize < 1) throw new ArgumentException($"HiddenSize must be >= 1, found {HiddenSize}.");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout must be in [0, 1), found {Dropout}.");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be >= 1, found {BatchSize}.");
        if (MaxEpochs < 1) throw new ArgumentException($"MaxEpochs must be >= 1, found {MaxEpochs}.");
        if (Patience < 1) throw new ArgumentException($"Patience must be >= 1, found {Patience}.");
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be > 0, found {LearningRate}.");
        if (!(AdamEpsilon > 0)) throw new ArgumentException($"AdamEpsilon must be > 0, found {AdamEpsilon}.");
        if (Threads < 0) throw new ArgumentException($"Threads must be >= 0, found {Threads}.");
    }
}
