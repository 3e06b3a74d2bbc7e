using System.Diagnostics;
using System.Text;
using Lmev.Pipeline;
using Lmev.Stages.Download;
using Xunit;
using Xunit.Abstractions;

namespace Lmev.Tests.Demo;

public sealed class DemoTitlesTests(ITestOutputHelper output)
{
    private static readonly DemoDataParams Small = new(Rows: 20_000, Seed: 7);

    private static readonly Lazy<Generated> SmallRows = new(() => Generate(Small));

    [Fact]
    public void Same_Seed_Gives_Byte_Identical_Output()
    {
        var a = Bytes(Small with { Rows = 5_000 });
        var b = Bytes(Small with { Rows = 5_000 });
        Assert.Equal(a, b);
    }

    [Fact]
    public void Different_Seed_Gives_Different_Output()
    {
        Assert.NotEqual(Bytes(Small with { Rows = 2_000 }), Bytes(Small with { Rows = 2_000, Seed = 8 }));
    }

    [Fact]
    public void Output_Is_Pinned_For_A_Given_Seed()
    {
        // A change here changes every generated dataset: bump the Download stage's version with it.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Bytes(new DemoDataParams(Rows: 1_000, Seed: 2019))));
        output.WriteLine(hash);
        Assert.Equal(PinnedSha256, hash);
    }

    private const string PinnedSha256 = "e06c3329d676088b55d493301e1d4941925fd7d957cf9e2b71a90928488d85fe";

    [Fact]
    public void Writes_Header_And_Four_Columns_On_Every_Row()
    {
        var text = Encoding.UTF8.GetString(Bytes(Small with { Rows = 3_000 }));
        Assert.StartsWith("title,label_quality,language,category\n", text);
        Assert.DoesNotContain('\r', text);
        var rows = Rfc4180.Parse(text);
        Assert.Equal(3_001, rows.Count);
        Assert.All(rows, r => Assert.Equal(4, r.Length));
        Assert.All(rows.Skip(1), r =>
        {
            Assert.Contains(r[1], new[] { "reliable", "unreliable" });
            Assert.Contains(r[2], new[] { "spanish", "portuguese" });
            Assert.Matches("^[A-Z][A-Z0-9_]*[A-Z0-9]$", r[3]);
        });
    }

    [Fact]
    public void Returns_Rows_Written_And_Reports_Progress_Up_To_The_Total()
    {
        var reported = new List<long>();
        var n = DemoTitles.Write(Small with { Rows = 70_000 }, Stream.Null, reported.Add);
        Assert.Equal(70_000, n);
        Assert.Equal(70_000, reported[^1]);
        Assert.True(reported.Count >= 2);
        Assert.Equal(reported.Order(), reported);
    }

    [Fact]
    public void Leaves_The_Destination_Open()
    {
        using var stream = new MemoryStream();
        DemoTitles.Write(Small with { Rows = 10 }, stream);
        Assert.True(stream.CanWrite);
    }

    [Fact]
    public void Uses_At_Least_100_Categories_With_Imbalanced_Frequencies()
    {
        var counts = SmallRows.Value.Rows.GroupBy(r => r.Category).Select(g => g.Count()).OrderDescending().ToArray();
        Assert.True(counts.Length >= 100, $"{counts.Length} categories");
        Assert.True(counts[0] >= 4 * counts[^1], $"most frequent {counts[0]}, least frequent {counts[^1]}");
    }

    [Fact]
    public void Every_Title_Has_3_To_15_Tokens()
    {
        foreach (var row in SmallRows.Value.Rows)
        {
            var tokens = row.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.True(tokens is >= 3 and <= 15, $"{tokens} tokens: \"{row.Title}\"");
        }
    }

    [Fact]
    public void Language_Share_Follows_SpanishFraction()
    {
        foreach (var fraction in new[] { 0.5, 0.7 })
        {
            var rows = fraction == Small.SpanishFraction ? SmallRows.Value.Rows : Generate(Small with { SpanishFraction = fraction }).Rows;
            var spanish = rows.Count(r => r.Language == "spanish") / (double)rows.Count;
            Assert.InRange(spanish, fraction - 0.02, fraction + 0.02);
            Assert.Contains(rows, r => r.Language == "portuguese");
        }
    }

    [Fact]
    public void Titles_Look_Like_Real_Ones()
    {
        var rows = SmallRows.Value.Rows;
        double Share(Func<Row, bool> f) => rows.Count(f) / (double)rows.Count;
        var spanish = rows.Where(r => r.Language == "spanish").ToList();
        var portuguese = rows.Where(r => r.Language == "portuguese").ToList();
        double ShareOf(List<Row> subset, string chars) => subset.Count(r => r.Title.ToLowerInvariant().AsSpan().IndexOfAny(chars) >= 0) / (double)subset.Count;

        var report = new Dictionary<string, double>
        {
            ["accents (es: áéíóúñü)"] = ShareOf(spanish, "áéíóúñü"),
            ["accents (pt: ãõçêâ)"] = ShareOf(portuguese, "ãõçêâ"),
            ["digits"] = Share(r => r.Title.AsSpan().IndexOfAnyInRange('0', '9') >= 0),
            ["units"] = Share(r => UnitPattern.IsMatch(r.Title)),
            ["punctuation -/!+(),.\""] = Share(r => r.Title.AsSpan().IndexOfAny("-/!+(),.\"") >= 0),
            ["double space"] = Share(r => r.Title.Contains("  ")),
            ["title case"] = Share(r => r.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(w => w == char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant())),
            ["at most 60 chars"] = Share(r => r.Title.Length <= 60),
            ["exactly 60 chars (cut)"] = Share(r => r.Title.Length == 60),
            ["trailing space"] = Share(r => r.Title.EndsWith(' ')),
        };
        foreach (var c in "-/!+(),.\"") report[$"'{c}'"] = Share(r => r.Title.Contains(c));
        foreach (var (k, v) in report) output.WriteLine($"{k,-28} {v:P1}");

        Assert.InRange(report["accents (es: áéíóúñü)"], 0.10, 0.6);
        Assert.InRange(report["accents (pt: ãõçêâ)"], 0.10, 0.6);
        Assert.InRange(report["digits"], 0.2, 0.9);
        Assert.InRange(report["units"], 0.1, 0.8);
        Assert.InRange(report["punctuation -/!+(),.\""], 0.1, 0.7);
        foreach (var c in "-/!+(),.\"") Assert.True(report[$"'{c}'"] > 0, $"no title holds '{c}'");
        Assert.InRange(report["double space"], 0.03, 0.15);
        Assert.InRange(report["title case"], 0.7, 0.97);
        Assert.Equal(1.0, report["at most 60 chars"]);
    }

    private static readonly System.Text.RegularExpressions.Regex UnitPattern = new(
        @"\d ?(ml|gb|kg|g|gr|cm|mm|v|w|mah|lts|litros|l|mts|metros|pulgadas|polegadas|unidades|piezas|peças|pçs|años|anos|meses)\b|x \d+ unid",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    [Fact]
    public void Shows_A_Few_Rows_And_The_Rate()
    {
        var text = Encoding.UTF8.GetString(Bytes(new DemoDataParams(Rows: 12)));
        output.WriteLine(text);
        var clock = Stopwatch.StartNew();
        var rows = DemoTitles.Write(new DemoDataParams(Rows: 200_000), Stream.Null);
        output.WriteLine($"{rows / clock.Elapsed.TotalSeconds:N0} rows/s in this build configuration (Release is several times faster)");
    }

    [Fact]
    public void Reliable_Rows_Are_Never_Noisy_And_Unreliable_Ones_At_The_Configured_Rate()
    {
        var p = Small with { Rows = 40_000, ReliableFraction = 0.3, UnreliableNoise = 0.1 };
        var g = Generate(p);
        var reliable = g.Rows.Zip(g.TrueCategories).Where(x => x.First.LabelQuality == "reliable").ToList();
        var unreliable = g.Rows.Zip(g.TrueCategories).Where(x => x.First.LabelQuality == "unreliable").ToList();

        Assert.InRange(reliable.Count / (double)g.Rows.Count, 0.28, 0.32);
        Assert.All(reliable, x => Assert.Equal(x.Second, x.First.Category));
        var noisy = unreliable.Count(x => x.First.Category != x.Second) / (double)unreliable.Count;
        output.WriteLine($"noise among unreliable rows: {noisy:P2}");
        Assert.InRange(noisy, 0.09, 0.11);
    }

    [Fact]
    public void Classification_Is_Learnable_But_Not_Trivial()
    {
        var rows = SmallRows.Value.Rows;
        var nb = NaiveBayes.Train(rows.Take(16_000));
        var test = rows.Skip(16_000).Take(4_000).ToList();
        var accuracy = test.Count(r => nb.Predict(r.Title) == r.Category) / (double)test.Count;
        var categories = rows.Select(r => r.Category).Distinct().Count();
        output.WriteLine($"naive Bayes accuracy {accuracy:P1} over {categories} categories");
        Assert.InRange(accuracy, 0.5, 0.99);
    }

    [Fact]
    public void A_Language_Detector_Reads_Spanish_Titles_As_Spanish_And_Portuguese_Ones_As_Portuguese()
    {
        var detector = Lingua.LanguageDetectorBuilder.FromLanguages(Lingua.Language.Spanish, Lingua.Language.Portuguese).Build();
        var rows = SmallRows.Value.Rows.Take(1_000).ToList();
        var agree = rows.Count(r => detector.DetectLanguageOf(r.Title) == (r.Language == "spanish" ? Lingua.Language.Spanish : Lingua.Language.Portuguese));
        output.WriteLine($"detector agrees on {agree} of {rows.Count}");
        // Short titles full of brands and codes are often ambiguous; real ones are too.
        Assert.True(agree >= 0.85 * rows.Count, $"detector agrees on {agree} of {rows.Count}");
    }

    [Fact]
    public void Rejects_More_Categories_Than_The_Vocabulary_Knows()
    {
        var e = Assert.Throws<LmevException>(() => DemoTitles.Write(Small with { Categories = 100_000 }, Stream.Null));
        Assert.Contains("categories", e.Message);
        Assert.Throws<LmevException>(() => DemoTitles.Write(Small with { SpanishFraction = 1.5 }, Stream.Null));
    }

    [Fact]
    public void Vocabulary_Has_Unique_MeLi_Style_Codes_And_Clean_Phrases()
    {
        var codes = DemoVocabulary.Catalogue.Select(c => c.Code).ToList();
        Assert.True(codes.Count >= 120, $"{codes.Count} categories");
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$", c));
        var phrases = DemoVocabulary.Catalogue.SelectMany(c => new[] { c.Nouns, c.Qualifiers, c.Family.Words })
            .SelectMany(b => b.Spanish.Concat(b.Portuguese));
        Assert.All(phrases, p => Assert.True(p.Length > 0 && p.Trim() == p && !p.Contains("  "), $"phrase \"{p}\""));
    }

    // ── helpers ────────────────────────────────────────────────────────────────────────────

    private sealed record Row(string Title, string LabelQuality, string Language, string Category);

    private sealed record Generated(List<Row> Rows, List<string> TrueCategories);

    private static byte[] Bytes(DemoDataParams p)
    {
        using var stream = new MemoryStream();
        DemoTitles.Write(p, stream);
        return stream.ToArray();
    }

    private static Generated Generate(DemoDataParams p)
    {
        using var stream = new MemoryStream();
        var truth = new List<string>();
        DemoTitles.Write(p, stream, null, truth.Add);
        var rows = Rfc4180.Parse(Encoding.UTF8.GetString(stream.ToArray())).Skip(1).Select(f => new Row(f[0], f[1], f[2], f[3])).ToList();
        return new Generated(rows, truth);
    }

    /// <summary>Just enough RFC 4180 to read the generated file back: quoted fields, doubled quotes, '\n' rows.</summary>
    private static class Rfc4180
    {
        public static List<string[]> Parse(string text)
        {
            var rows = new List<string[]>();
            var fields = new List<string>();
            var field = new StringBuilder();
            var i = 0;
            while (i < text.Length)
            {
                if (text[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= text.Length) throw new FormatException("unterminated quoted field");
                        if (text[i] == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                            i++;
                            break;
                        }
                        field.Append(text[i++]);
                    }
                    if (i < text.Length && text[i] != ',' && text[i] != '\n') throw new FormatException($"text after a closing quote at {i}");
                }
                else
                {
                    while (i < text.Length && text[i] != ',' && text[i] != '\n')
                    {
                        if (text[i] == '"') throw new FormatException($"quote inside an unquoted field at {i}");
                        field.Append(text[i++]);
                    }
                }
                fields.Add(field.ToString());
                field.Clear();
                if (i < text.Length && text[i] == '\n')
                {
                    rows.Add([.. fields]);
                    fields.Clear();
                }
                i++;
            }
            if (fields.Count > 0) rows.Add([.. fields]);
            return rows;
        }
    }

    /// <summary>Multinomial naive Bayes over lower-cased space-separated tokens, add-one smoothing.</summary>
    private sealed class NaiveBayes
    {
        private readonly Dictionary<string, double> _prior = new();
        private readonly Dictionary<string, Dictionary<string, int>> _counts = new();
        private readonly Dictionary<string, int> _totals = new();
        private readonly HashSet<string> _vocabulary = new();

        public static NaiveBayes Train(IEnumerable<Row> rows)
        {
            var nb = new NaiveBayes();
            var n = 0;
            var perClass = new Dictionary<string, int>();
            foreach (var r in rows)
            {
                n++;
                perClass[r.Category] = perClass.GetValueOrDefault(r.Category) + 1;
                var counts = nb._counts.TryGetValue(r.Category, out var c) ? c : nb._counts[r.Category] = new();
                foreach (var t in Tokens(r.Title))
                {
                    counts[t] = counts.GetValueOrDefault(t) + 1;
                    nb._totals[r.Category] = nb._totals.GetValueOrDefault(r.Category) + 1;
                    nb._vocabulary.Add(t);
                }
            }
            foreach (var (k, v) in perClass) nb._prior[k] = Math.Log(v / (double)n);
            return nb;
        }

        public string Predict(string title)
        {
            var tokens = Tokens(title).ToArray();
            var best = "";
            var bestScore = double.NegativeInfinity;
            foreach (var (category, counts) in _counts)
            {
                var score = _prior[category];
                var denominator = Math.Log(_totals.GetValueOrDefault(category) + _vocabulary.Count);
                foreach (var t in tokens) score += Math.Log(counts.GetValueOrDefault(t) + 1) - denominator;
                if (score > bestScore) (best, bestScore) = (category, score);
            }
            return best;
        }

        private static IEnumerable<string> Tokens(string title) =>
            title.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
