using System.Text.Json;
using System.Text.Json.Serialization;
using Lmev.Models;
using Lmev.Pipeline;

namespace Lmev.Inference;

/// <summary>
/// <c>&lt;name&gt;.tokenizer.json</c>, written beside an exported classifier: everything another program needs to turn a title
/// into the classifier's input, with the vocabulary file beside it. One of <see cref="Nnlm"/>, <see cref="FastText"/> and
/// <see cref="WordPiece"/> is set, as <see cref="Kind"/> says. `lmev predict --onnx` reads it back and builds its tokeniser from
/// it alone, so what it says is what is done.
/// </summary>
/// <param name="Format">1.</param>
/// <param name="Kind"><see cref="NnlmKind"/>, <see cref="FastTextKind"/> or <see cref="WordPieceKind"/>.</param>
/// <param name="Vocabulary">The vocabulary's file name, beside this file.</param>
/// <param name="VocabularySize">Its rows (lines).</param>
/// <param name="VocabularyFormat">How its lines are read.</param>
/// <param name="Inputs">What the ONNX model takes, and how it is made from the token ids.</param>
public sealed record TokenizerDescription(
    int Format,
    string Kind,
    string Vocabulary,
    int VocabularySize,
    string VocabularyFormat,
    string Inputs)
{
    public const string NnlmKind = "nnlm", FastTextKind = "fasttext", WordPieceKind = "wordpiece";

    /// <summary>The file beside <paramref name="onnxPath"/>: classifier.onnx → classifier.tokenizer.json.</summary>
    public static string PathFor(string onnxPath) => Path.ChangeExtension(onnxPath, null) + ".tokenizer.json";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NnlmTokens? Nnlm { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FastTextTokens? FastText { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WordPieceTokens? WordPiece { get; init; }

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, CanonicalJson.Indented) + "\n");

    public static TokenizerDescription Read(string path)
    {
        var description = JsonFile.Read<TokenizerDescription>(path, new JsonSerializerOptions(JsonFile.Strict) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip },
            "the tokenizer.json `lmev export-onnx` writes beside a classifier");
        var set = new object?[] { description.Nnlm, description.FastText, description.WordPiece }.Count(x => x is not null);
        var expected = description.Kind switch
        {
            NnlmKind => description.Nnlm,
            FastTextKind => description.FastText,
            WordPieceKind => (object?)description.WordPiece,
            _ => throw new LmevException($"{path}: kind '{description.Kind}', expected {NnlmKind}, {FastTextKind} or {WordPieceKind}"),
        };
        if (expected is null || set != 1)
            throw new LmevException($"{path}: kind '{description.Kind}' needs its \"{description.Kind}\" object and no other; export the classifier again");
        return description;
    }
}

/// <summary>The TF-Hub NNLM modules' tokeniser (and the random tables', which share it): see <see cref="NnlmTokenizer"/>.</summary>
/// <param name="Steps">Each step in order, in words.</param>
/// <param name="DeletePunctuation">First delete every Unicode punctuation character (RE2 <c>\pP</c>, by code point).</param>
/// <param name="Rewrites">Then these string ops on the whole title, in order.</param>
/// <param name="Split">Then this split op (TensorFlow's StringSplit or StringSplitV2 semantics).</param>
/// <param name="TokenRewrites">Then these string ops on each token.</param>
/// <param name="FillEmptyRows">A title with no token gets the single token <paramref name="FillToken"/>.</param>
/// <param name="KeepEmptyTokens">The split rule's flag as the model recorded it (its default split when the graph named none).</param>
/// <param name="OovBuckets">A token not in the vocabulary takes row vocabularySize + <paramref name="OovHash"/> mod this.</param>
/// <param name="Combiner">How the model pools a title's rows: sqrtn, mean or sum.</param>
public sealed record NnlmTokens(
    IReadOnlyList<string> Steps,
    bool DeletePunctuation,
    IReadOnlyList<TextRewrite> Rewrites,
    SplitRule Split,
    bool KeepEmptyTokens,
    IReadOnlyList<TextRewrite> TokenRewrites,
    bool FillEmptyRows,
    string FillToken,
    int OovBuckets,
    string OovHash,
    string Combiner)
{
    public const string FarmHash = "FarmHash Fingerprint64 of the token's UTF-8 bytes (TensorFlow's to_hash_bucket_fast)";

    public static NnlmTokens Of(BagOfEmbeddingsSpec spec)
    {
        var t = spec.Tokenizer;
        return new NnlmTokens([.. t.Describe()], t.Normalize, t.Rewrites, t.EffectiveSplit, t.KeepEmptyTokens, t.TokenRewrites, t.FillEmptyRows, t.FillToken,
            spec.NumOovBuckets, FarmHash, spec.Combiner);
    }

    /// <summary>The tokeniser options this describes (the model's own when the split is the default its flag names).</summary>
    public NnlmTokenizerOptions Options()
    {
        var options = new NnlmTokenizerOptions(DeletePunctuation, KeepEmptyTokens, FillEmptyRows)
        {
            Rewrites = Rewrites, TokenRewrites = TokenRewrites, FillToken = FillToken,
        };
        return options.IsLegacy && Split == options.EffectiveSplit ? options : options with { Split = Split };
    }
}

/// <summary>fastText's dictionary (src/dictionary.cc): see <see cref="Lmev.Training.FastText.FastTextDictionary"/>.</summary>
/// <param name="SplitOn">The bytes a title is split on (runs of them are one break).</param>
/// <param name="EndOfLine">The token every title ends with.</param>
/// <param name="WordNgrams">Longest word n-gram; 1: words only.</param>
/// <param name="Buckets">Hashed n-gram rows after the vocabulary's (0 without n-grams).</param>
/// <param name="WordHash">How a token hashes.</param>
/// <param name="NgramRows">How an n-gram's row follows from its tokens' hashes.</param>
/// <param name="Combiner">How the model pools a title's rows.</param>
public sealed record FastTextTokens(string SplitOn, string EndOfLine, int WordNgrams, int Buckets, string WordHash, string NgramRows, string Combiner);

/// <summary>A BERT-style encoder's uncased WordPiece: see <see cref="WordPieceEncoder"/>.</summary>
/// <param name="MaxTokens">Longest input, [CLS] and [SEP] included; a longer one is cut keeping its final [SEP].</param>
/// <param name="Pooling">What the model does with the encoder's states before its head.</param>
public sealed record WordPieceTokens(bool LowerCase, bool StripAccents, int MaxTokens, int ClsId, int SepId, int PadId, int UnknownId, string Pooling);
