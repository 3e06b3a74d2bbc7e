using System.Text.Json.Serialization;

namespace Lmev.Models;

/// <summary>
/// One string op of a TF-Hub text model's graph applied to every title (or every token) before lookup, as the graph
/// does it: <c>StaticRegexReplace</c>/<c>RegexReplace</c> (RE2 pattern and rewrite, first or every match),
/// <c>StringLower</c>/<c>StringUpper</c> (<c>encoding</c> "" folds ASCII letters only, as TensorFlow's
/// <c>absl::AsciiStrToLower</c>; "utf-8" folds every letter).
/// </summary>
/// <param name="Op"><see cref="Regex"/>, <see cref="Lower"/> or <see cref="Upper"/>.</param>
/// <param name="Node">The graph node it came from, for messages and the manifest.</param>
public sealed record TextRewrite(
    string Op,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Pattern = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rewrite = null,
    bool ReplaceGlobal = true,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Encoding = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node = null)
{
    public const string Regex = "regex_replace";
    public const string Lower = "lower";
    public const string Upper = "upper";

    /// <summary>What the -with-normalization modules do: <c>regex_replace(\pP, "")</c>.</summary>
    public static readonly TextRewrite DeletePunctuation = new(Regex, @"\pP", "", true);

    /// <summary>Deletes every Unicode punctuation character: RE2's <c>\pP</c> or <c>\p{P}</c> with an empty rewrite, everywhere.</summary>
    [JsonIgnore]
    public bool IsPunctuationDeletion => Op == Regex && Pattern is @"\pP" or @"\p{P}" && Rewrite == "" && ReplaceGlobal;

    public override string ToString() => Op switch
    {
        Regex => $"regex_replace(pattern {Quote(Pattern!)}, rewrite {Quote(Rewrite!)}, {(ReplaceGlobal ? "every match" : "first match")})",
        _ => $"{Op}(encoding {Quote(Encoding ?? "")}{(Encoding is null or "" ? ": ASCII letters only" : "")})",
    } + (Node is null ? "" : $" [{Node}]");

    internal static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s, Pipeline.CanonicalJson.Options);
}
