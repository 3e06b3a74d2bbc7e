using System.Buffers;
using System.Globalization;
using System.Text;
using Lmev.Pipeline;

namespace Lmev.Models;

/// <summary>
/// The TF-Hub NNLM modules' tokeniser: optionally delete punctuation, split on the space character (U+0020)
/// only, and map each token to a row of the embedding table — its line in <c>tokens.txt</c> if it is there,
/// else <c>vocabularySize + Fingerprint64(utf8(token)) % numOovBuckets</c>, which is what
/// <c>StaticVocabularyTable</c> with <c>num_oov_buckets</c> does (<c>tf.strings.to_hash_bucket_fast</c>).
/// Thread-safe after construction; <see cref="Tokenize(ReadOnlySpan{char}, List{long})"/> allocates nothing
/// per token.
/// </summary>
/// <remarks>
/// The empty token (from two adjacent spaces, a leading or trailing space, or an empty title under TF2
/// splitting) is not dropped by TF2: <c>StringSplitV2</c> emits it as a value of the sparse result, and the
/// lookup table treats it as any other key — the row of its line if <c>tokens.txt</c> has an empty line,
/// otherwise bucket <c>Fingerprint64("") % numOovBuckets</c> (Fingerprint64 of no bytes is the constant
/// <c>k2</c>). So each empty token adds that row to the sum and counts in the sqrt(n) divisor; we do the same.
/// </remarks>
public sealed class NnlmTokenizer
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly long _emptyTokenId;
    private readonly long _fillTokenId;
    private readonly Func<string, string>[] _rewrites;
    private readonly Func<string, string>[] _tokenRewrites;
    private readonly SplitRule _split;

    /// <param name="vocabulary">Token i is row i; each token once.</param>
    public NnlmTokenizer(IReadOnlyList<string> vocabulary, int numOovBuckets, NnlmTokenizerOptions options)
        : this(Index(vocabulary, (token, first, again) => new ArgumentException(
            $"Token \"{token}\" appears at index {first} and again at {again}; a vocabulary lists each token once.", nameof(vocabulary))),
            numOovBuckets, options)
    {
    }

    private NnlmTokenizer(Dictionary<string, int> vocabulary, int numOovBuckets, NnlmTokenizerOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numOovBuckets, 1);
        _vocabulary = vocabulary;
        _lookup = _vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        NumOovBuckets = numOovBuckets;
        Options = options;
        _emptyTokenId = Lookup([]);
        _fillTokenId = Lookup(options.FillToken);
        _split = options.EffectiveSplit;
        if (_split.Unsupported() is { } why) throw new LmevException($"the tokeniser cannot split as the model does: lmev does not model {why}.");
        _rewrites = options.Rewrites.Select(Compile).ToArray();
        _tokenRewrites = options.TokenRewrites.Select(Compile).ToArray();
    }

    /// <summary>One rewrite as a function of the text; an RE2 pattern .NET cannot match alike is refused here.</summary>
    private static Func<string, string> Compile(TextRewrite rewrite)
    {
        switch (rewrite.Op)
        {
            case TextRewrite.Regex when rewrite.IsPunctuationDeletion:
                return text =>
                {
                    if (!ContainsPunctuation(text)) return text;
                    var buffer = new char[text.Length];
                    return new string(buffer, 0, RemovePunctuation(text, buffer));
                };
            case TextRewrite.Regex:
                var regex = Re2Translation.Pattern(rewrite.Pattern!);
                var replacement = Re2Translation.Rewrite(rewrite.Rewrite!, rewrite.Pattern!);
                return rewrite.ReplaceGlobal ? text => regex.Replace(text, replacement) : text => regex.Replace(text, replacement, 1);
            case TextRewrite.Lower or TextRewrite.Upper:
                var lower = rewrite.Op == TextRewrite.Lower;
                if (rewrite.Encoding is null or "")
                    return text => string.Create(text.Length, text, (span, t) =>
                    {
                        for (var i = 0; i < t.Length; i++)
                            span[i] = lower ? (char.IsAsciiLetterUpper(t[i]) ? (char)(t[i] | 0x20) : t[i]) : (char.IsAsciiLetterLower(t[i]) ? (char)(t[i] & ~0x20) : t[i]);
                    });
                if (rewrite.Encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
                    return lower ? text => text.ToLowerInvariant() : text => text.ToUpperInvariant();
                throw new LmevException($"{rewrite}: lmev folds case for the encodings \"\" (ASCII) and \"utf-8\", not {TextRewrite.Quote(rewrite.Encoding)}.");
            default:
                throw new LmevException($"{rewrite}: lmev does not model the string op '{rewrite.Op}'.");
        }
    }

    /// <summary>Reads a <c>tokens.txt</c>: one token per line, UTF-8, line i is row i (as TensorFlow's
    /// <c>TextFileInitializer</c> reads it: lines end at '\n', a '\r' before it is dropped, no BOM handling).</summary>
    public static NnlmTokenizer Load(string vocabularyPath, int numOovBuckets, NnlmTokenizerOptions options)
    {
        if (!File.Exists(vocabularyPath))
            throw new LmevException($"{vocabularyPath}: vocabulary file not found. Expected a tokens.txt with one token per line; re-run the step that imports the model.");
        var index = Index(ReadVocabulary(vocabularyPath), (token, first, again) => new LmevException(
            $"{vocabularyPath}:{again + 1}: token \"{token}\" already appears on line {first + 1}. Expected each token once " +
            "(TensorFlow refuses such a table too); the file is not a TF-Hub tokens.txt."));
        return new NnlmTokenizer(index, numOovBuckets, options);
    }

    private static Dictionary<string, int> Index(IReadOnlyList<string> tokens, Func<string, int, int, Exception> duplicate)
    {
        var index = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!index.TryAdd(tokens[i], i)) throw duplicate(tokens[i], index[tokens[i]], i);
        }
        return index;
    }

    /// <summary>The lines of a <c>tokens.txt</c> as TensorFlow's <c>TextFileInitializer</c> reads them (see <see cref="Load"/>).</summary>
    public static List<string> ReadVocabulary(string path)
    {
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        var tokens = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            var line = text.AsSpan(start, end - start);
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            tokens.Add(line.ToString());
            start = end + 1;
        }
        return tokens;
    }

    /// <summary>Every title's rows, concatenated, with where each title starts: what the fine-tune model pools.</summary>
    public Lmev.Training.TokenBags Bags(IReadOnlyList<string> titles)
    {
        var ids = new List<long>();
        var offsets = new long[titles.Count + 1];
        for (var i = 0; i < titles.Count; i++)
        {
            Tokenize(titles[i], ids);
            offsets[i + 1] = ids.Count;
        }
        return new Lmev.Training.TokenBags(ids.ToArray(), offsets);
    }

    public NnlmTokenizerOptions Options { get; }

    public int VocabularySize => _vocabulary.Count;

    public int NumOovBuckets { get; }

    /// <summary>Rows of the embedding table this tokeniser indexes: vocabulary, then the OOV buckets.</summary>
    public long RowCount => (long)VocabularySize + NumOovBuckets;

    /// <summary>The row of one token.</summary>
    public long Lookup(ReadOnlySpan<char> token)
    {
        if (_lookup.TryGetValue(token, out var row)) return row;
        var maxBytes = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(token, buffer);
            return VocabularySize + FarmHash.Bucket(buffer[..length], NumOovBuckets);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Appends the rows of <paramref name="title"/>'s tokens to <paramref name="ids"/>; returns how many.</summary>
    public int Tokenize(ReadOnlySpan<char> title, List<long> ids)
    {
        if (!Options.IsLegacy) return TokenizeByRecipe(title, ids);
        char[]? rented = null;
        try
        {
            if (Options.Normalize && ContainsPunctuation(title))
            {
                rented = ArrayPool<char>.Shared.Rent(title.Length);
                title = rented.AsSpan(0, RemovePunctuation(title, rented));
            }
            var before = ids.Count;
            var rest = title;
            while (true)
            {
                var space = rest.IndexOf(' ');
                var token = space < 0 ? rest : rest[..space];
                if (token.Length > 0 || Options.KeepEmptyTokens) ids.Add(token.Length == 0 ? _emptyTokenId : Lookup(token));
                if (space < 0) break;
                rest = rest[(space + 1)..];
            }
            if (ids.Count == before && Options.FillEmptyRows) ids.Add(_emptyTokenId);
            return ids.Count - before;
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>The general path: the graph's rewrites, its split op, each token's rewrites, the fill token.</summary>
    private int TokenizeByRecipe(ReadOnlySpan<char> title, List<long> ids)
    {
        var tokens = new List<string>();
        _split.Split(Normalized(title.ToString()), tokens);
        foreach (var raw in tokens)
        {
            var token = raw;
            foreach (var rewrite in _tokenRewrites) token = rewrite(token);
            ids.Add(Lookup(token));
        }
        if (tokens.Count == 0 && Options.FillEmptyRows) ids.Add(_fillTokenId);
        return tokens.Count == 0 && Options.FillEmptyRows ? 1 : tokens.Count;
    }

    public long[] Tokenize(string title)
    {
        var ids = new List<long>();
        Tokenize(title, ids);
        return [.. ids];
    }

    /// <summary>The title as the tokeniser sees it before splitting (punctuation deleted when normalising, the graph's rewrites applied).</summary>
    public string Normalized(string title)
    {
        if (Options.Normalize && ContainsPunctuation(title))
        {
            var buffer = new char[title.Length];
            title = new string(buffer, 0, RemovePunctuation(title, buffer));
        }
        foreach (var rewrite in _rewrites) title = rewrite(title);
        return title;
    }

    private static bool ContainsPunctuation(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (IsPunctuationAt(text, i, out var width)) return true;
            i += width;
        }
        return false;
    }

    private static int RemovePunctuation(ReadOnlySpan<char> text, Span<char> destination)
    {
        var written = 0;
        for (var i = 0; i < text.Length;)
        {
            if (!IsPunctuationAt(text, i, out var width))
            {
                text.Slice(i, width).CopyTo(destination[written..]);
                written += width;
            }
            i += width;
        }
        return written;
    }

    // By code point, as RE2 matches \pP: a punctuation character outside the BMP is a surrogate pair here.
    // A lone surrogate is kept as it is.
    private static bool IsPunctuationAt(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        if (!char.IsSurrogate(c))
        {
            width = 1;
            return char.IsPunctuation(c);
        }
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out width) != OperationStatus.Done)
        {
            width = 1;
            return false;
        }
        return IsPunctuation(Rune.GetUnicodeCategory(rune));
    }

    private static bool IsPunctuation(UnicodeCategory category) => category is
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or
        UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or
        UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
}
