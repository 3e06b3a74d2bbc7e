using Lmev.Contracts;
using Lmev.Training.FastText;

namespace Lmev.Flow;

/// <summary>A fasttext model's entry and the trainer's settings: fastText's defaults for `supervised` (its args.cc), but word bigrams.</summary>
internal static class FastTextModels
{
    /// <summary>The entry with every setting it leaves out taken from <see cref="FastTextSettings"/>'s defaults; other kinds as they are.</summary>
    public static ModelSpec WithDefaults(ModelSpec spec)
    {
        if (spec.Kind != ModelSpec.FastText) return spec;
        var d = new FastTextSettings();
        return spec with
        {
            Dim = spec.Dim == 0 ? d.Dim : spec.Dim, Buckets = spec.Buckets ?? d.Buckets, Lr = spec.Lr ?? d.LearningRate, Epochs = spec.Epochs ?? d.Epochs,
            WordNgrams = spec.WordNgrams ?? d.WordNgrams, MinCount = spec.MinCount ?? d.MinCount, BatchSize = spec.BatchSize ?? d.BatchSize,
        };
    }

    /// <summary>A fasttext entry's training settings, its defaults filled.</summary>
    public static FastTextSettings Settings(ModelSpec spec) =>
        new(spec.Lr!.Value, spec.Epochs!.Value, spec.Dim, spec.WordNgrams!.Value, spec.BucketCount, spec.MinCount!.Value, spec.BatchSize!.Value);
}
