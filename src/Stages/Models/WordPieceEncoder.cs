using Lmev.Pipeline;
using Microsoft.ML.Tokenizers;

namespace Lmev.Models;

/// <summary>
/// A sentence-transformers encoder's input: uncased WordPiece over a <c>vocab.txt</c> (BertTokenizer, accents stripped as
/// Hugging Face's BasicTokenizer does when lower-casing; see <see cref="AccentStripping"/>), <c>[CLS]</c> wordpieces
/// <c>[SEP]</c>, cut to <see cref="MaxTokens"/> keeping the final <c>[SEP]</c>. What <see cref="MiniLmEmbedder"/> feeds its
/// model, and what a run's exported classifier takes.
/// </summary>
public sealed class WordPieceEncoder
{
    private WordPieceEncoder(BertTokenizer tokenizer, int maxTokens)
    {
        Tokenizer = tokenizer;
        MaxTokens = maxTokens;
    }

    public BertTokenizer Tokenizer { get; }

    /// <summary>Longest input, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>The id a batch pads short rows with ([PAD]), under an attention mask of 0.</summary>
    public int PaddingId => Tokenizer.PaddingTokenId;

    public static WordPieceEncoder Open(string vocabularyPath, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        if (!File.Exists(vocabularyPath))
            throw new LmevException($"{vocabularyPath}: WordPiece vocabulary not found. Expected the vocab.txt of a BERT-style encoder.");
        var tokenizer = BertTokenizer.Create(vocabularyPath, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true });
        return new WordPieceEncoder(tokenizer, maxTokens);
    }

    /// <summary>Token ids of one text: [CLS] wordpieces [SEP], cut to MaxTokens keeping the final [SEP].</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        var ids = Tokenizer.EncodeToIds(AccentStripping.Strip(text), addSpecialTokens: true);
        if (ids.Count <= MaxTokens) return ids;
        return [.. ids.Take(MaxTokens - 1), Tokenizer.SeparatorTokenId];
    }
}
