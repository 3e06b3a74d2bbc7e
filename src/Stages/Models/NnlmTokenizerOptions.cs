namespace Lmev.Models;

/// <summary>
/// How a TF-Hub NNLM module turns a title into tokens. Recorded in the model file so that a table is never
/// used with a tokenisation it was not built for. The three positional flags are the rules lmev used before it read
/// them from the model's graph (and still uses for the random baselines); a recipe read from a graph sets
/// <see cref="Rewrites"/>, <see cref="Split"/>, <see cref="TokenRewrites"/> and <see cref="FillToken"/> instead.
/// </summary>
/// <param name="Normalize">
/// Delete every Unicode punctuation character (general category P, RE2's <c>\pP</c>) before splitting, as the
/// <c>-with-normalization</c> modules do with <c>tf.strings.regex_replace(sentences, r"\pP", "")</c>.
/// Symbols such as <c>$ + &lt; = &gt; ^ ` | ~</c> are not punctuation and stay.
/// </param>
/// <param name="KeepEmptyTokens">
/// Split like TF2's <c>tf.strings.split(sentences, " ")</c> (Python's <c>str.split(" ")</c>): two adjacent spaces,
/// or a leading or trailing space, delimit an empty token, and an empty title is one empty token. False splits
/// like TF1's <c>tf.string_split(sentences, " ")</c>, which skips empty tokens. Ignored when <see cref="Split"/> is set.
/// </param>
/// <param name="FillEmptyRows">
/// Give a title that has no tokens the single token <see cref="FillToken"/> ("") — the modules' graphs call
/// <c>tf.sparse.fill_empty_rows</c> with it before combining, so an empty title embeds as that token's row,
/// not as zeros. False gives such a title no tokens and a zero vector.
/// </param>
public sealed record NnlmTokenizerOptions(bool Normalize = false, bool KeepEmptyTokens = true, bool FillEmptyRows = true)
{
    /// <summary>String ops applied to the whole title before splitting, in the graph's order (after <see cref="Normalize"/>).</summary>
    public IReadOnlyList<TextRewrite> Rewrites { get; init; } = [];

    /// <summary>The split op; null: the one <see cref="KeepEmptyTokens"/> names.</summary>
    public SplitRule? Split { get; init; }

    /// <summary>String ops applied to each token after splitting, in the graph's order.</summary>
    public IReadOnlyList<TextRewrite> TokenRewrites { get; init; } = [];

    /// <summary>The token an empty row gets when <see cref="FillEmptyRows"/> (the graph's <c>SparseFillEmptyRows</c> default).</summary>
    public string FillToken { get; init; } = "";

    /// <summary>The split actually used.</summary>
    public SplitRule EffectiveSplit => Split ?? (KeepEmptyTokens ? SplitRule.KeepEmpty : SplitRule.DropEmpty);

    /// <summary>Whether only the three original flags are in use (the tokeniser's allocation-free path).</summary>
    public bool IsLegacy => Rewrites.Count == 0 && Split is null && TokenRewrites.Count == 0 && FillToken.Length == 0;

    /// <summary>Every step in order, for logs, the manifest and <c>lmev inspect-model</c>.</summary>
    public IEnumerable<string> Describe()
    {
        if (Normalize) yield return $"{TextRewrite.DeletePunctuation}";
        foreach (var r in Rewrites) yield return $"{r}";
        yield return $"split: {EffectiveSplit}";
        foreach (var r in TokenRewrites) yield return $"each token: {r}";
        yield return FillEmptyRows ? $"a title with no token gets the token {TextRewrite.Quote(FillToken)}" : "a title with no token embeds as zeros";
    }

    public bool Equals(NnlmTokenizerOptions? other) =>
        other is not null && Normalize == other.Normalize && KeepEmptyTokens == other.KeepEmptyTokens && FillEmptyRows == other.FillEmptyRows &&
        Rewrites.SequenceEqual(other.Rewrites) && Equals(Split, other.Split) && TokenRewrites.SequenceEqual(other.TokenRewrites) && FillToken == other.FillToken;

    public override int GetHashCode() => HashCode.Combine(Normalize, KeepEmptyTokens, FillEmptyRows, Rewrites.Count, Split, TokenRewrites.Count, FillToken);
}
