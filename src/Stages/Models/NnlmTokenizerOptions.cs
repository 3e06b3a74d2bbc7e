namespace Lmev.Models;

/// <summary>
/// How a TF-Hub NNLM module turns a title into tokens. Recorded in the model file so that a table is never
/// used with a tokenisation it was not built for.
/// </summary>
/// <param name="Normalize">
/// Delete every Unicode punctuation character (general category P, RE2's <c>\pP</c>) before splitting, as the
/// <c>-with-normalization</c> modules do with <c>tf.strings.regex_replace(sentences, r"\pP", "")</c>.
/// Symbols such as <c>$ + &lt; = &gt; ^ ` | ~</c> are not punctuation and stay.
/// </param>
/// <param name="KeepEmptyTokens">
/// Split like TF2's <c>tf.strings.split(sentences, " ")</c> (Python's <c>str.split(" ")</c>): two adjacent spaces,
/// or a leading or trailing space, delimit an empty token, and an empty title is one empty token. False splits
/// like TF1's <c>tf.string_split(sentences, " ")</c>, which skips empty tokens.
/// </param>
/// <param name="FillEmptyRows">
/// Give a title that has no tokens the single token "" — the modules' graphs call
/// <c>tf.sparse.fill_empty_rows</c> with the id of "" before combining, so an empty title embeds as the row of "",
/// not as zeros. Only matters when <paramref name="KeepEmptyTokens"/> is false (TF2's split never yields an
/// empty row). False gives such a title no tokens and a zero vector.
/// </param>
public sealed record NnlmTokenizerOptions(bool Normalize = false, bool KeepEmptyTokens = true, bool FillEmptyRows = true);
