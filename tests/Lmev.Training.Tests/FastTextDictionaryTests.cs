using Lmev.Training.FastText;

namespace Lmev.Training.Tests;

/// <summary>
/// Expected values worked out by hand from fastText's rules (src/dictionary.cc): FNV-1a over the UTF-8
/// bytes, each sign-extended (so 'ó' = C3 B3 hashes as 0xFFFFFFC3, 0xFFFFFFB3); a word bigram
/// <c>(i32(h_a) · 116049371 + i32(h_b)) mod 2^64 mod buckets</c>; the vocabulary most frequent first.
/// </summary>
public class FastTextDictionaryTests
{
    // "camión rojo" | "camión  de juguete, ¡nuevo!" (two spaces) | "" (an empty title: only </s>)
    private static readonly string[] Titles = ["camión rojo", "camión  de juguete, ¡nuevo!", ""];

    [Theory]
    [InlineData("</s>", 3617362777u)]
    [InlineData("rojo", 369342649u)]
    [InlineData("camión", 581168785u)]      // with unsigned bytes it would be 1766776977
    [InlineData("¡nuevo!", 3700215022u)]    // with unsigned bytes it would be 3767023854
    [InlineData("juguete,", 385470408u)]    // punctuation stays in the token
    public void Hash_is_fnv1a_over_sign_extended_utf8_bytes(string token, uint expected) =>
        Assert.Equal(expected, FastTextDictionary.Hash(token));

    [Fact]
    public void Tokens_split_on_whitespace_runs_and_end_with_the_end_of_line_token()
    {
        Assert.Equal(["camión", "de", "juguete,", "¡nuevo!", "</s>"], FastTextDictionary.Tokens("camión  de juguete, ¡nuevo!"));
        Assert.Equal(["a", "b", "</s>"], FastTextDictionary.Tokens(" a\t\tb \r"));
        Assert.Equal(["</s>"], FastTextDictionary.Tokens(""));
        Assert.Equal(["</s>"], FastTextDictionary.Tokens("   "));
    }

    [Fact]
    public void The_vocabulary_is_most_frequent_first_with_end_of_line_counted_once_per_title()
    {
        var d = FastTextDictionary.Build(Titles, minCount: 1, wordNgrams: 2, buckets: 1000);
        Assert.Equal([("</s>", 3L), ("camión", 2L), ("rojo", 1L), ("de", 1L), ("juguete,", 1L), ("¡nuevo!", 1L)], d.Words);
        Assert.Equal(6 + 1000, d.Rows);
    }

    [Fact]
    public void A_titles_rows_are_its_words_then_its_word_bigrams_after_the_vocabulary()
    {
        var d = FastTextDictionary.Build(Titles, minCount: 1, wordNgrams: 2, buckets: 1000);
        // camión=1 rojo=2 </s>=0; bigrams (camión, rojo) → 884, (rojo, </s>) → 260
        Assert.Equal([1, 2, 0, 6 + 884, 6 + 260], RowsOf(d, "camión rojo"));
        // camión de juguete, ¡nuevo! </s>; bigrams → 13, 46, 94, 443
        Assert.Equal([1, 3, 4, 5, 0, 6 + 13, 6 + 46, 6 + 94, 6 + 443], RowsOf(d, "camión  de juguete, ¡nuevo!"));
        Assert.Equal([0], RowsOf(d, ""));
    }

    [Fact]
    public void Words_below_min_count_lose_their_row_but_keep_their_place_in_the_ngrams()
    {
        var d = FastTextDictionary.Build(Titles, minCount: 2, wordNgrams: 2, buckets: 1000);
        Assert.Equal([("</s>", 3L), ("camión", 2L)], d.Words);
        Assert.Equal([1, 0, 2 + 884, 2 + 260], RowsOf(d, "camión rojo"));
        Assert.Equal([0, 2 + 338], RowsOf(d, "desconocido"));   // (desconocido, </s>) → 338; the word itself has no row
    }

    [Fact]
    public void Trigrams_chain_the_hashes_and_one_gram_models_have_no_buckets()
    {
        var d = FastTextDictionary.Build(Titles, minCount: 1, wordNgrams: 3, buckets: 1000);
        // bigrams then trigrams per start: (camión de)=13 (camión de juguete,)=511, (de juguete,)=46 (de juguete, ¡nuevo!)=640,
        // (juguete, ¡nuevo!)=94 (juguete, ¡nuevo! </s>)=19, (¡nuevo! </s>)=443
        Assert.Equal([1, 3, 4, 5, 0, 6 + 13, 6 + 511, 6 + 46, 6 + 640, 6 + 94, 6 + 19, 6 + 443], RowsOf(d, "camión de juguete, ¡nuevo!"));
        var words = FastTextDictionary.Build(Titles, minCount: 1, wordNgrams: 1, buckets: 1000);
        Assert.Equal(6, words.Rows);
        Assert.Equal([1, 2, 0], RowsOf(words, "camión rojo"));
    }

    [Fact]
    public void The_vocabulary_file_reads_back_to_the_same_rows()
    {
        var d = FastTextDictionary.Build(Titles, minCount: 1, wordNgrams: 2, buckets: 1000);
        var path = Path.Combine(Path.GetTempPath(), $"lmev-fasttext-{Guid.NewGuid():N}.txt");
        try
        {
            d.Write(path);
            var back = FastTextDictionary.Read(path, 2, 1000);
            Assert.Equal(d.Words, back.Words);
            Assert.Equal(RowsOf(d, Titles[1]), RowsOf(back, Titles[1]));
        }
        finally { File.Delete(path); }
    }

    private static long[] RowsOf(FastTextDictionary d, string title)
    {
        var rows = new List<long>();
        d.RowsOf(title, rows);
        return rows.ToArray();
    }
}
