using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// A trained classifier holding its best weights, with the run's record. Dispose it to free the
/// native tensors.
/// </summary>
public sealed class TrainedModel<TInput> : IDisposable
{
    private readonly Func<TInput, IBatchSource> bind;
    private readonly int batchSize;

    internal TrainedModel(nn.Module module, Func<TInput, IBatchSource> bind, int batchSize, TrainingOutcome outcome,
        string device, int threads, double seconds)
    {
        Module = module; this.bind = bind; this.batchSize = batchSize;
        Epochs = outcome.Epochs; BestEpoch = outcome.BestEpoch; StoppedEarly = outcome.StoppedEarly;
        RestoredBest = outcome.RestoredBest; Device = device; Threads = threads; Seconds = seconds;
    }

    /// <summary>The torch module (<see cref="Mlp"/> or <see cref="BagOfEmbeddingsClassifier"/>).</summary>
    public nn.Module Module { get; }
    public IReadOnlyList<EpochRecord> Epochs { get; }
    /// <summary>1-based epoch whose weights the model holds (the last epoch when nothing was restored).</summary>
    public int BestEpoch { get; }
    /// <summary>Early stopping fired before <see cref="MlpSettings.Epochs"/>.</summary>
    public bool StoppedEarly { get; }
    /// <summary>The weights were rolled back to <see cref="BestEpoch"/>.</summary>
    public bool RestoredBest { get; }
    /// <summary>The device used, e.g. "cpu: AMD EPYC 7763 64-Core Processor".</summary>
    public string Device { get; }
    /// <summary>libtorch intra-op threads during training.</summary>
    public int Threads { get; }
    /// <summary>Wall time of the training loop.</summary>
    public double Seconds { get; }

    /// <summary>The predicted class of every row (argmax of the logits; dropout off, no gradients).</summary>
    public int[] Predict(TInput input)
    {
        using var source = bind(input);
        return Trainer.Evaluate(Module, source, null, batchSize).Predictions;
    }

    public void Dispose() => Module.Dispose();
}
