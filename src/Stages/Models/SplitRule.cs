using System.Text.Json.Serialization;

namespace Lmev.Models;

/// <summary>
/// How a TF-Hub text model's graph cuts a title into tokens, as its split op does (tensorflow/core/kernels/string_split_op.cc).
/// <list type="bullet">
/// <item><c>StringSplit</c> (TF1's <c>tf.string_split</c>): every character of <see cref="Delimiter"/> splits; with
/// <see cref="SkipEmpty"/> empty tokens are dropped; an empty title has no tokens at all, either way.</item>
/// <item><c>StringSplitV2</c> (TF2's <c>tf.strings.split</c>): Python's <c>str.split(sep, maxsplit)</c>: the whole
/// <see cref="Delimiter"/> splits, empty tokens are kept, an empty title is one empty token; an empty
/// <see cref="Delimiter"/> splits on runs of ASCII whitespace and keeps no empty token.</item>
/// </list>
/// </summary>
/// <param name="MaxSplit">StringSplitV2's <c>maxsplit</c>: at most this many splits, the rest is the last token; -1: no limit.</param>
public sealed record SplitRule(
    string Op,
    string Delimiter,
    bool SkipEmpty,
    int MaxSplit = -1,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node = null)
{
    public const string V1 = "StringSplit";
    public const string V2 = "StringSplitV2";

    /// <summary>TF1's <c>tf.string_split(titles, " ")</c>.</summary>
    public static readonly SplitRule DropEmpty = new(V1, " ", SkipEmpty: true);

    /// <summary>TF2's <c>tf.strings.split(titles, " ")</c>.</summary>
    public static readonly SplitRule KeepEmpty = new(V2, " ", SkipEmpty: false);

    /// <summary>The ASCII whitespace StringSplitV2 splits on when its separator is empty (absl::ascii_isspace).</summary>
    internal const string AsciiWhitespace = " \t\n\v\f\r";

    /// <summary>Null when lmev splits exactly as this op; else why not (names the op's node).</summary>
    public string? Unsupported() => Op switch
    {
        V1 when Delimiter.Length == 0 => $"{Op} with an empty delimiter (it splits into single bytes)",
        V1 when Delimiter.Any(c => c > 0x7f) => $"{Op} with the delimiter {TextRewrite.Quote(Delimiter)}: its non-ASCII characters would be split byte by byte",
        V1 when MaxSplit != -1 => $"{Op} with maxsplit {MaxSplit}",
        V2 when Delimiter.Length == 0 && MaxSplit != -1 => $"{Op} on whitespace with maxsplit {MaxSplit}",
        V1 or V2 => null,
        _ => $"the split op {Op}",
    };

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/>.</summary>
    public void Split(string text, List<string> tokens)
    {
        if (Op == V1)
        {
            if (text.Length == 0) return;
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i < text.Length && Delimiter.IndexOf(text[i]) < 0) continue;
                if (!SkipEmpty || i > start) tokens.Add(text[start..i]);
                start = i + 1;
            }
            return;
        }
        if (Delimiter.Length == 0)
        {
            tokens.AddRange(text.Split(AsciiWhitespace.ToCharArray(), StringSplitOptions.RemoveEmptyEntries));
            return;
        }
        var rest = 0;
        for (var splits = 0; MaxSplit < 0 || splits < MaxSplit; splits++)
        {
            var at = text.IndexOf(Delimiter, rest, StringComparison.Ordinal);
            if (at < 0) break;
            tokens.Add(text[rest..at]);
            rest = at + Delimiter.Length;
        }
        tokens.Add(text[rest..]);
    }

    public override string ToString() => Op == V1
        ? $"{Op}(delimiter {TextRewrite.Quote(Delimiter)}, skip_empty {(SkipEmpty ? "true: empty tokens dropped" : "false: empty tokens kept")}, an empty title gives no token)"
        : $"{Op}(sep {TextRewrite.Quote(Delimiter)}{(MaxSplit >= 0 ? $", maxsplit {MaxSplit}" : "")}: {(Delimiter.Length == 0 ? "runs of ASCII whitespace, no empty token" : "empty tokens kept, an empty title is one empty token")})";
}
