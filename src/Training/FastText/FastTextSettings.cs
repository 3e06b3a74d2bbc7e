namespace Lmev.Training.FastText;

/// <summary>
/// fastText's supervised settings that lmev's <see cref="FastTextTrainer"/> follows (fastText's
/// <c>args.cc</c> names in brackets). Defaults are fastText's for <c>supervised</c>, except
/// <see cref="WordNgrams"/> (2, the setting most practitioners use) and <see cref="BatchSize"/>,
/// which fastText does not have: it updates after every title, from several threads at once
/// (Hogwild), so its runs are not repeatable; lmev updates once per batch, so they are.
/// </summary>
/// <param name="LearningRate">[-lr] the rate of the first update; it falls linearly to 0 over all updates.</param>
/// <param name="Epochs">[-epoch] passes over the training titles.</param>
/// <param name="Dim">[-dim] width of the word and n-gram vectors.</param>
/// <param name="WordNgrams">[-wordNgrams] longest word n-gram; 1: words only (no hashed rows at all, as fastText).</param>
/// <param name="Buckets">[-bucket] hashed rows for the word n-grams, after the vocabulary's rows.</param>
/// <param name="MinCount">[-minCount] a word seen fewer times in training has no row of its own (its n-grams still do).</param>
/// <param name="BatchSize">Titles per update. Each title's gradient is added at the full rate (the loss is summed over
/// the batch, not averaged), so a batch approximates that many of fastText's one-title updates.</param>
public sealed record FastTextSettings(
    double LearningRate = 0.1,
    int Epochs = 5,
    int Dim = 100,
    int WordNgrams = 2,
    int Buckets = 2_000_000,
    int MinCount = 1,
    int BatchSize = 32)
{
    /// <summary>Hashed rows the table really has: none when there are no n-grams (fastText sets bucket to 0 then).</summary>
    public int HashedRows => WordNgrams > 1 ? Buckets : 0;

    public void Validate()
    {
        if (!(LearningRate > 0)) throw new ArgumentException($"fastText lr must be > 0, found {LearningRate}.");
        if (Epochs < 1) throw new ArgumentException($"fastText epochs must be >= 1, found {Epochs}.");
        if (Dim < 1) throw new ArgumentException($"fastText dim must be >= 1, found {Dim}.");
        if (WordNgrams < 1) throw new ArgumentException($"fastText wordNgrams must be >= 1, found {WordNgrams}.");
        if (Buckets < 1) throw new ArgumentException($"fastText buckets must be >= 1, found {Buckets}.");
        if (MinCount < 1) throw new ArgumentException($"fastText minCount must be >= 1, found {MinCount}.");
        if (BatchSize < 1) throw new ArgumentException($"fastText batchSize must be >= 1, found {BatchSize}.");
    }
}
