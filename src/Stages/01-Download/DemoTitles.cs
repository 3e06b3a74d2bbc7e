using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;

namespace Lmev.Stages.Download;

/// <summary>
/// The demo dataset: MercadoLibre-shaped rows (<c>title,label_quality,language,category</c>) made
/// from a seed, so that the pipeline runs end to end with no network. Titles come from
/// <see cref="DemoTitleComposer"/>; categories follow a Zipf–Mandelbrot law as the challenge's do;
/// a share of the <c>unreliable</c> rows carries a wrong category, as the challenge's do.
/// The same parameters give the same bytes on every machine and .NET version: all randomness is
/// <see cref="SeededRandom"/>, and only exactly rounded arithmetic (+, /) touches the weights.
/// </summary>
public static class DemoTitles
{
    /// <summary>Offset q of the category weights 1/(rank + q): flattens the head as in the real data.</summary>
    private const double ZipfOffset = 10;

    private const long ProgressEvery = 1 << 16;

    private static readonly byte[] Reliable = "reliable"u8.ToArray();
    private static readonly byte[] Unreliable = "unreliable"u8.ToArray();
    private static readonly byte[] Spanish = "spanish"u8.ToArray();
    private static readonly byte[] Portuguese = "portuguese"u8.ToArray();

    /// <summary>
    /// Writes <c>p.Rows</c> rows of CSV (header <c>title,label_quality,language,category</c>, UTF-8,
    /// '\n') to <paramref name="destination"/>, uncompressed, leaving it open. Calls
    /// <paramref name="progress"/> with the rows written so far now and then. Returns rows written.
    /// </summary>
    public static long Write(DemoDataParams p, Stream destination, Action<long>? progress = null) =>
        Write(p, destination, progress, trueCategory: null);

    /// <summary>As <see cref="Write(DemoDataParams, Stream, Action{long}?)"/>, also handing over each row's category before label noise.</summary>
    internal static long Write(DemoDataParams p, Stream destination, Action<long>? progress, Action<string>? trueCategory)
    {
        Validate(p);
        var categories = ChooseCategories(p);
        var codes = categories.Select(c => Encoding.UTF8.GetBytes(c.Code)).ToArray();
        var cumulative = ZipfCumulative(categories.Length);
        var rng = SeededRandom.For(p.Seed, "demo-titles/rows");
        var composer = new DemoTitleComposer();
        var utf8 = new byte[4 * 512];

        using var csv = new CsvWriter(destination, leaveOpen: true);
        csv.Row("title", "label_quality", "language", "category");
        for (var row = 0L; row < p.Rows; row++)
        {
            var language = rng.NextDouble() < p.SpanishFraction ? DemoLanguage.Spanish : DemoLanguage.Portuguese;
            var truth = SampleCategory(rng, cumulative);
            var reliable = rng.NextDouble() < p.ReliableFraction;
            var label = truth;
            if (!reliable && categories.Length > 1 && rng.NextDouble() < p.UnreliableNoise)
            {
                label = rng.NextInt(categories.Length - 1);
                if (label >= truth) label++;
            }

            var title = composer.Compose(rng, categories[truth], language);
            var length = Encoding.UTF8.GetBytes(title, utf8);
            csv.Field(utf8.AsSpan(0, length));
            csv.Field(reliable ? Reliable : Unreliable);
            csv.Field(language == DemoLanguage.Spanish ? Spanish : Portuguese);
            csv.Field(codes[label]);
            csv.EndRow();
            trueCategory?.Invoke(categories[truth].Code);
            if ((row + 1) % ProgressEvery == 0) progress?.Invoke(row + 1);
        }
        csv.Flush();
        progress?.Invoke(p.Rows);
        return p.Rows;
    }

    /// <summary>The categories in use, most frequent first: a seeded choice from the catalogue.</summary>
    internal static DemoCategory[] ChooseCategories(DemoDataParams p)
    {
        var all = DemoVocabulary.Catalogue.ToArray();
        SeededRandom.For(p.Seed, "demo-titles/categories").Shuffle(all);
        return all[..p.Categories];
    }

    /// <summary>Cumulative weights 1/(rank + q), normalised to end at 1.</summary>
    private static double[] ZipfCumulative(int n)
    {
        var cumulative = new double[n];
        var sum = 0.0;
        for (var rank = 0; rank < n; rank++) cumulative[rank] = sum += 1.0 / (rank + 1 + ZipfOffset);
        for (var rank = 0; rank < n; rank++) cumulative[rank] /= sum;
        cumulative[n - 1] = 1.0;
        return cumulative;
    }

    private static int SampleCategory(SeededRandom rng, double[] cumulative)
    {
        var i = Array.BinarySearch(cumulative, rng.NextDouble());
        return i >= 0 ? i + 1 : ~i;   // an exact hit belongs to the next bucket: buckets are [lo, hi)
    }

    private static void Validate(DemoDataParams p)
    {
        var max = DemoVocabulary.Catalogue.Count;
        if (p.Rows < 0)
            throw new LmevException($"demo data: 'rows' must be 0 or more, found {p.Rows}.");
        if (p.Categories < 2 || p.Categories > max)
            throw new LmevException($"demo data: 'categories' must be between 2 and {max} (the categories the demo vocabulary knows), found {p.Categories}. Lower it in the experiment file.");
        Fraction(p.SpanishFraction, "spanishFraction");
        Fraction(p.ReliableFraction, "reliableFraction");
        Fraction(p.UnreliableNoise, "unreliableNoise");

        static void Fraction(double value, string name)
        {
            if (!(value >= 0 && value <= 1))
                throw new LmevException($"demo data: '{name}' must be a fraction between 0 and 1, found {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }
}
