using System.Text;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models;

public class NnlmTokenizerTests
{
    private static readonly string[] Vocabulary = ["hola", "mundo", "canción", "3", "hola,", "niño"];
    private const int Buckets = 7;

    private static NnlmTokenizer Tokenizer(bool normalize = false, bool keepEmpty = true, bool fill = true) =>
        new(Vocabulary, Buckets, new NnlmTokenizerOptions(normalize, keepEmpty, fill));

    private static long Oov(string token) => Vocabulary.Length + FarmHash.Bucket(Encoding.UTF8.GetBytes(token), Buckets);

    [Fact]
    public void Should_Map_Vocabulary_Tokens_To_Their_Line()
    {
        Assert.Equal([0L, 1L, 2L], Tokenizer().Tokenize("hola mundo canción"));
    }

    [Fact]
    public void Should_Hash_Unknown_Tokens_Like_To_Hash_Bucket_Fast()
    {
        // No vocabulary, 3 buckets: the ids are TensorFlow's documented to_hash_bucket_fast(..., 3) == [0, 2, 2].
        var tokenizer = new NnlmTokenizer([], 3, new NnlmTokenizerOptions());
        Assert.Equal([0L, 2L, 2L], tokenizer.Tokenize("Hello TensorFlow 2.x"));
    }

    [Fact]
    public void Should_Put_Unknown_Tokens_In_A_Bucket_After_The_Vocabulary()
    {
        var ids = Tokenizer().Tokenize("hola perro");
        Assert.Equal([0L, Oov("perro")], ids);
        Assert.InRange(ids[1], Vocabulary.Length, Vocabulary.Length + Buckets - 1);
        Assert.Equal(Vocabulary.Length + Buckets, Tokenizer().RowCount);
    }

    [Fact]
    public void Should_Split_On_The_Space_Character_Only()
    {
        Assert.Equal([Oov("hola\tmundo"), Oov("a\u00a0b"), Oov("c\nd")], Tokenizer().Tokenize("hola\tmundo a\u00a0b c\nd"));
    }

    [Fact]
    public void Should_Keep_Punctuation_Without_Normalization()
    {
        Assert.Equal([4L, Oov("mundo!")], Tokenizer().Tokenize("hola, mundo!"));
    }

    [Fact]
    public void Should_Delete_Unicode_Punctuation_When_Normalizing()
    {
        var tokenizer = Tokenizer(normalize: true);
        Assert.Equal("Hola mundo", tokenizer.Normalized("¡Hola, mundo!"));
        Assert.Equal("niño dijo hola", tokenizer.Normalized("«niño» dijo “hola”…"));
        Assert.Equal("dijohola", tokenizer.Normalized("dijo—hola"));
        Assert.Equal([0L, 1L], tokenizer.Tokenize("hola, mundo."));
        Assert.Equal([0L, 1L], tokenizer.Tokenize("¿hola? ¡mundo!"));
    }

    [Fact]
    public void Should_Keep_Symbols_Digits_And_Accents_When_Normalizing()
    {
        // $ + < = > ^ ` | ~ are symbols (category S), not punctuation; accents and digits are letters and numbers.
        var tokenizer = Tokenizer(normalize: true);
        Assert.Equal("$100 + 3<4 = ^`|~ canción 35", tokenizer.Normalized("$1.0,0 + 3<4 = ^`|~ canción 3.5"));
        Assert.Equal([3L, 2L, Oov("35")], tokenizer.Tokenize("3 canción 3.5"));
    }

    [Fact]
    public void Should_Delete_Punctuation_Outside_The_Basic_Plane_And_Keep_Emoji()
    {
        // U+10100 AEGEAN WORD SEPARATOR LINE is Po; U+1F600 is a symbol.
        Assert.Equal("ab 😀", Tokenizer(normalize: true).Normalized("a\U00010100b 😀"));
    }

    [Fact]
    public void Should_Keep_Empty_Tokens_From_Double_Leading_And_Trailing_Spaces_Like_TF2()
    {
        var empty = Oov("");
        Assert.Equal([0L, empty, 1L], Tokenizer().Tokenize("hola  mundo"));
        Assert.Equal([empty, 0L, empty], Tokenizer().Tokenize(" hola "));
    }

    [Fact]
    public void Should_Drop_Empty_Tokens_Like_TF1_String_Split()
    {
        Assert.Equal([0L, 1L], Tokenizer(keepEmpty: false).Tokenize("  hola  mundo "));
    }

    [Fact]
    public void Should_Give_An_Empty_Title_The_Empty_Token_Like_The_TF_Hub_Graphs()
    {
        var empty = Oov("");
        Assert.Equal([empty], Tokenizer().Tokenize(""));
        Assert.Equal([empty], Tokenizer(keepEmpty: false).Tokenize(""));
        Assert.Equal([empty], Tokenizer(keepEmpty: false).Tokenize("   "));
        Assert.Equal([empty, empty, empty, empty], Tokenizer().Tokenize("   "));
    }

    [Fact]
    public void Should_Give_An_Empty_Title_No_Tokens_When_Not_Filling_Empty_Rows()
    {
        Assert.Empty(Tokenizer(keepEmpty: false, fill: false).Tokenize(""));
        Assert.Empty(Tokenizer(keepEmpty: false, fill: false).Tokenize("   "));
        Assert.Empty(Tokenizer(normalize: true, keepEmpty: false, fill: false).Tokenize(" ¡! ... "));
    }

    [Fact]
    public void Should_Give_A_Punctuation_Only_Title_The_Empty_Token_When_Normalizing()
    {
        Assert.Equal([Oov("")], Tokenizer(normalize: true).Tokenize("¡!"));
    }

    [Fact]
    public void Should_Look_Up_The_Empty_Token_In_The_Vocabulary_When_It_Has_An_Empty_Line()
    {
        var tokenizer = new NnlmTokenizer(["a", "", "b"], 5, new NnlmTokenizerOptions());
        Assert.Equal([0L, 1L, 2L], tokenizer.Tokenize("a  b"));
    }

    [Fact]
    public void Should_Append_To_A_Reused_List_And_Return_The_Count()
    {
        var ids = new List<long> { 42 };
        Assert.Equal(2, Tokenizer().Tokenize("hola mundo", ids));
        Assert.Equal([42L, 0L, 1L], ids);
    }

    [Fact]
    public void Should_Hash_Long_Unknown_Tokens()
    {
        var token = new string('ñ', 400);
        Assert.Equal([Oov(token)], Tokenizer().Tokenize(token));
    }

    [Fact]
    public void Should_Load_Tokens_Txt_With_Crlf_And_A_Trailing_Newline()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "tokens.txt");
        File.WriteAllText(path, "hola\r\nmundo\r\n\r\ncanción\n");
        var tokenizer = NnlmTokenizer.Load(path, 3, new NnlmTokenizerOptions());
        Assert.Equal(4, tokenizer.VocabularySize);
        // The empty line is token "" at row 2, so the double space finds it.
        Assert.Equal([0L, 1L, 2L, 3L], tokenizer.Tokenize("hola mundo  canción"));
    }

    [Fact]
    public void Should_Refuse_A_Vocabulary_With_A_Repeated_Token_Naming_File_And_Line()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "tokens.txt");
        File.WriteAllText(path, "a\nb\na\n");
        var error = Assert.Throws<LmevException>(() => NnlmTokenizer.Load(path, 3, new NnlmTokenizerOptions()));
        Assert.Contains($"{path}:3", error.Message);
        Assert.Contains("line 1", error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Missing_Vocabulary_Naming_The_File()
    {
        var path = Path.Combine(Path.GetTempPath(), "lmev-missing-" + Guid.NewGuid().ToString("N"), "tokens.txt");
        var error = Assert.Throws<LmevException>(() => NnlmTokenizer.Load(path, 3, new NnlmTokenizerOptions()));
        Assert.Contains(path, error.Message);
    }
}
