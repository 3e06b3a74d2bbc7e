using System.Text;

namespace Lmev.Training.FastText;

/// <summary>
/// fastText's dictionary for supervised training (facebookresearch/fastText, src/dictionary.cc),
/// re-implemented from its rules:
/// <list type="bullet">
/// <item>a title is split on the bytes ' ', \n, \r, \t, \v, \f and \0 (runs of them are one break,
/// so double spaces make no empty token), and ends with the end-of-line token <c>&lt;/s&gt;</c>;</item>
/// <item>the vocabulary is every token of the training titles, <c>&lt;/s&gt;</c> included (once per title),
/// seen at least <c>minCount</c> times, most frequent first (ties: first seen first; fastText's
/// unstable sort leaves ties in no set order, which only permutes rows);</item>
/// <item>a title's rows are its in-vocabulary tokens' ids, then one row per word n-gram (2 ≤ n ≤
/// <c>wordNgrams</c>) of all its tokens, out-of-vocabulary ones included: with h the 32-bit FNV-1a hash of
/// a token's UTF-8 bytes, each byte sign-extended first (fastText's <c>hash</c>), the n-gram starting at
/// token i hashes to <c>h_i·116049371 + h_(i+1)</c>… in 64 bits, every h read as a sign-extended int32
/// (<c>addWordNgrams</c>), and takes row <c>vocabulary size + hash mod buckets</c>.</item>
/// </list>
/// </summary>
public sealed class FastTextDictionary
{
    public const string EndOfLine = "</s>";

    /// <summary>The bytes fastText's <c>readWord</c> splits on.</summary>
    private static readonly char[] Breaks = [' ', '\n', '\r', '\t', '\v', '\f', '\0'];

    private const ulong NgramMultiplier = 116049371;

    private readonly Dictionary<string, int> _ids;

    private FastTextDictionary(IReadOnlyList<(string Word, long Count)> words, int wordNgrams, int buckets)
    {
        Words = words;
        _ids = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++) _ids[words[i].Word] = i;
        WordNgrams = wordNgrams;
        Buckets = wordNgrams > 1 ? buckets : 0;
    }

    /// <summary>The vocabulary, in row order, with training counts.</summary>
    public IReadOnlyList<(string Word, long Count)> Words { get; }

    public int WordNgrams { get; }

    /// <summary>Hashed n-gram rows (0 without n-grams).</summary>
    public int Buckets { get; }

    /// <summary>Rows of the input table: vocabulary, then buckets.</summary>
    public int Rows => Words.Count + Buckets;

    /// <summary>A title's tokens as fastText reads its line: the words, then <c>&lt;/s&gt;</c>.</summary>
    public static IEnumerable<string> Tokens(string title) =>
        title.Split(Breaks, StringSplitOptions.RemoveEmptyEntries).Append(EndOfLine);

    /// <summary>fastText's <c>Dictionary::hash</c>: FNV-1a over the UTF-8 bytes, each sign-extended (signed char).</summary>
    public static uint Hash(string token)
    {
        uint h = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(token))
        {
            h ^= unchecked((uint)(sbyte)b);
            h *= 16777619;
        }
        return h;
    }

    /// <summary>Counts the training titles' tokens and keeps those seen <paramref name="minCount"/> times or more.</summary>
    public static FastTextDictionary Build(IEnumerable<string> titles, int minCount, int wordNgrams, int buckets)
    {
        var counts = new Dictionary<string, (long Count, int First)>(StringComparer.Ordinal);
        foreach (var title in titles)
            foreach (var token in Tokens(title))
                counts[token] = counts.TryGetValue(token, out var c) ? (c.Count + 1, c.First) : (1, counts.Count);
        var words = counts.Where(kv => kv.Value.Count >= minCount)
            .OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Value.First)
            .Select(kv => (kv.Key, kv.Value.Count)).ToList();
        return new FastTextDictionary(words, wordNgrams, buckets);
    }

    /// <summary>A saved vocabulary (<see cref="Write"/>) with its n-gram settings.</summary>
    public static FastTextDictionary Read(string path, int wordNgrams, int buckets) =>
        new(File.ReadLines(path).Select(l => l.Split('\t')).Select(f => (f[0], long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture))).ToList(),
            wordNgrams, buckets);

    /// <summary>One line per row of the vocabulary: <c>word\tcount</c>.</summary>
    public void Write(string path) =>
        File.WriteAllLines(path, Words.Select(w => $"{w.Word}\t{w.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    /// <summary>The vocabulary row of a word, or -1.</summary>
    public int Id(string word) => _ids.TryGetValue(word, out var id) ? id : -1;

    /// <summary>A title's table rows, in fastText's order: in-vocabulary tokens, then word n-grams.</summary>
    public void RowsOf(string title, List<long> into)
    {
        var hashes = new List<int>();
        foreach (var token in Tokens(title))
        {
            var id = Id(token);
            if (id >= 0) into.Add(id);
            hashes.Add(unchecked((int)Hash(token)));
        }
        if (Buckets == 0) return;
        for (var i = 0; i < hashes.Count; i++)
        {
            var h = unchecked((ulong)(long)hashes[i]);
            for (var j = i + 1; j < hashes.Count && j < i + WordNgrams; j++)
            {
                h = unchecked(h * NgramMultiplier + (ulong)(long)hashes[j]);
                into.Add(Words.Count + (long)(h % (ulong)Buckets));
            }
        }
    }

    /// <summary>Every title's rows as token bags (never empty: <c>&lt;/s&gt;</c> is in every vocabulary built from titles).</summary>
    public TokenBags Bags(IReadOnlyList<string> titles)
    {
        var ids = new List<long>();
        var offsets = new long[titles.Count + 1];
        for (var i = 0; i < titles.Count; i++)
        {
            RowsOf(titles[i], ids);
            offsets[i + 1] = ids.Count;
        }
        return new TokenBags(ids.ToArray(), offsets);
    }
}
