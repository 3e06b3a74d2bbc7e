using Lmev.Pipeline;
using Lmev.Stages.Aggregate.Statistics;

namespace Lmev.Tests.Statistics;

/// <summary>
/// A test set shaped like MeLi's — many classes, a few large and a long tail of classes with one or two
/// titles — and a model whose recall on each class is known: higher on the frequent classes, as a
/// classifier trained on a sample of the same law would be (about 0.15 on a class expected to have one
/// test title, 0.9 on the largest). Conditional on the class sizes, the number of titles right in class
/// c is Binomial(n_c, recall_c), so the true balanced accuracy is the mean of the recalls and the
/// estimate's standard error is √(Σ_c recall_c (1 − recall_c) / n_c) / K.
/// </summary>
internal sealed class LongTailedTestSet
{
    public int Classes => Size.Length;

    /// <summary>Titles of each class.</summary>
    public int[] Size { get; }

    /// <summary>The model's true recall on each class.</summary>
    public double[] Recall { get; }

    /// <summary>Each title's class, class by class.</summary>
    public int[] Truth { get; }

    /// <param name="size">Test titles of each class (at least one).</param>
    /// <param name="expected">Each class's expected number of test titles: its frequency in the data the classifier learnt from.</param>
    public LongTailedTestSet(int[] size, double[] expected, ulong seed)
    {
        if (size.Length != expected.Length || size.Any(n => n < 1)) throw new ArgumentException("one size of at least 1 and one expected size per class");
        Size = size;
        var random = SeededRandom.For(seed, "long-tailed/recall");
        Recall = expected.Select(e =>
        {
            var noise = 0.12 * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5); // a class's own difficulty
            return Math.Clamp(0.92 - 0.85 * Math.Exp(-(Math.Max(e, 1) - 1) / 4) + noise, 0.02, 0.98);
        }).ToArray();
        Truth = Size.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
    }

    /// <summary>
    /// Class sizes from a Zipf–Mandelbrot law: each class one title, and the other titles drawn with class c's
    /// share ∝ (c + <paramref name="offset"/>)^−<paramref name="exponent"/>.
    /// </summary>
    public static LongTailedTestSet Zipf(int classes, int titles, double exponent, double offset, ulong seed)
    {
        if (titles < classes) throw new ArgumentOutOfRangeException(nameof(titles), "every class needs a title");
        var random = SeededRandom.For(seed, "long-tailed/sizes");
        var share = Enumerable.Range(1, classes).Select(c => Math.Pow(c + offset, -exponent)).ToArray();
        var total = share.Sum();
        var cumulative = new double[classes];
        var sum = 0.0;
        for (var c = 0; c < classes; c++) cumulative[c] = sum += share[c] / total;
        var size = Enumerable.Repeat(1, classes).ToArray();
        for (var i = classes; i < titles; i++)
        {
            var c = Array.BinarySearch(cumulative, random.NextDouble());
            size[Math.Min(c < 0 ? ~c : c, classes - 1)]++;
        }
        return new LongTailedTestSet(size, share.Select(s => 1 + (titles - classes) * s / total).ToArray(), seed);
    }

    /// <summary>
    /// The class sizes of <paramref name="titles"/> rows drawn (seeded, without replacement) from a file's
    /// categories, the classes present in the draw; a class's expected size is its frequency in the whole file.
    /// </summary>
    public static LongTailedTestSet FromCategories(IReadOnlyList<string> categories, int titles, ulong seed)
    {
        var all = categories.GroupBy(c => c, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var rows = Enumerable.Range(0, categories.Count).ToArray();
        SeededRandom.For(seed, "long-tailed/sample").Shuffle(rows);
        var drawn = rows.Take(titles).GroupBy(i => categories[i], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        return new LongTailedTestSet(drawn.Select(g => g.Count()).ToArray(), drawn.Select(g => titles * all[g.Key] / (double)categories.Count).ToArray(), seed);
    }

    public double TrueBac => Recall.Average();

    /// <summary>Standard deviation of the BAC estimate over test sets of these class sizes.</summary>
    public double TrueSe => Math.Sqrt(Size.Select((n, c) => Recall[c] * (1 - Recall[c]) / n).Sum()) / Classes;

    /// <summary>
    /// The standard deviation a class-stratified bootstrap with no rescaling and no pooling would show on
    /// average: within a class of n titles the resampled recall varies by p̂(1 − p̂)/n, and E[p̂(1 − p̂)] = r(1 − r)(n − 1)/n.
    /// </summary>
    public double PlainStratifiedSe => Math.Sqrt(Size.Select((n, c) => Recall[c] * (1 - Recall[c]) * (n - 1) / ((double)n * n)).Sum()) / Classes;

    /// <summary>One model's predictions on a fresh draw of the titles: title i right with probability its class's recall.</summary>
    public ScoredTitles Draw(SeededRandom random) =>
        new(Truth, Truth.Select(c => random.NextDouble() < Recall[c]).ToArray(), Classes);

    /// <summary>
    /// A second model with the same recall on every class (a true null): on each title it agrees with
    /// <paramref name="other"/> with probability <paramref name="agreement"/>, and otherwise is right with its class's recall.
    /// </summary>
    public ScoredTitles DrawAlike(ScoredTitles other, double agreement, SeededRandom random) =>
        new(Truth, Truth.Select((c, i) => random.NextDouble() < agreement ? other.Correct[i] : random.NextDouble() < Recall[c]).ToArray(), Classes);

    public int WithAtMost(int titles) => Size.Count(n => n <= titles);
}
