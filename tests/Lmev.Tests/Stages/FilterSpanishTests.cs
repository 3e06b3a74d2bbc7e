using System.IO.Compression;
using System.Text;
using Lmev.Pipeline;
using Lmev.Stages.FilterSpanish;
using Lmev.Tests.Support;

namespace Lmev.Tests.Stages;

public sealed class FilterSpanishTests
{
    private const string Header = "title,label_quality,language,category\n";

    private static (Lmev.Pipeline.Manifest Manifest, string[] Rows) Filter(TempDir dir, byte[] csv, bool strict = false, FilterParams? p = null)
    {
        var source = Path.Combine(dir.Path, "source.csv");
        File.WriteAllBytes(source, csv);
        var (manifest, _) = StageRunner.Run(new FilterSpanishStage(p ?? new FilterParams(), StageRunner.FileArtifact(source), strict), Path.Combine(dir.Path, "cache"));
        var rows = File.ReadAllLines(Path.Combine(manifest.Directory, FilterSpanishStage.Output));
        return (manifest, rows);
    }

    private static byte[] Csv(string body) => Encoding.UTF8.GetBytes(Header + body);

    private static long BadCount(Lmev.Pipeline.Manifest m, string reason) => (long?)m.Report["badRows"]?[reason]?["count"] ?? 0;

    private static long[] BadLines(Lmev.Pipeline.Manifest m, string reason) =>
        m.Report["badRows"]?[reason]?["firstLines"]?.AsArray().Select(n => (long)n!).ToArray() ?? [];

    [Fact]
    public void Keeps_only_rows_whose_language_column_matches()
    {
        using var dir = new TempDir();
        var (m, rows) = Filter(dir, Csv("Zapatillas Nike,reliable,spanish,SNEAKERS\nTênis Nike,unreliable,portuguese,SNEAKERS\nCelular Moto G,unreliable,spanish,CELLPHONES\n"));
        Assert.Equal(["title,category", "Zapatillas Nike,SNEAKERS", "Celular Moto G,CELLPHONES"], rows);
        Assert.Equal(3, (long)m.Report["rowsRead"]!);
        Assert.Equal(2, (long)m.Report["rowsKept"]!);
        Assert.Equal(1, (long)m.Report["rowsOtherLanguage"]!);
    }

    [Fact]
    public void Quoted_fields_with_commas_quotes_and_crlf_line_ends_are_read_and_rewritten_faithfully()
    {
        using var dir = new TempDir();
        var (_, rows) = Filter(dir, Csv("\"Kit 3 En 1, \"\"Pro\"\" 500 ml\",reliable,spanish,KITS\r\n\"  espacios  \",reliable,spanish,X\r\n"));
        Assert.Equal("\"Kit 3 En 1, \"\"Pro\"\" 500 ml\",KITS", rows[1]);
        Assert.Equal("\"  espacios  \",X", rows[2]);
    }

    [Fact]
    public void Reads_gzip_input_detected_by_its_magic_bytes()
    {
        using var dir = new TempDir();
        var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Csv("Mesa de luz,reliable,spanish,FURNITURE\n"));
        var (_, rows) = Filter(dir, buffer.ToArray());
        Assert.Equal("Mesa de luz,FURNITURE", rows[1]);
    }

    private static byte[] Gzip(int rows)
    {
        var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Csv(string.Concat(Enumerable.Range(0, rows).Select(i => $"Mesa de luz {i},reliable,spanish,FURNITURE\n"))));
        return buffer.ToArray();
    }

    [Theory]
    [InlineData("half", "ends early")]
    [InlineData("last 4 bytes", "ends early")]
    [InlineData("last 8 bytes", "ends early")]
    [InlineData("crc", "damaged")]
    public void A_truncated_or_damaged_gzip_stops_the_stage_saying_so_and_publishes_nothing(string cut, string expected)
    {
        using var dir = new TempDir();
        var whole = Gzip(20_000);
        var bytes = cut switch
        {
            "half" => whole[..(whole.Length / 2)],
            "last 4 bytes" => whole[..^4],
            "last 8 bytes" => whole[..^8],
            _ => whole.Select((b, i) => i == whole.Length - 6 ? (byte)(b ^ 1) : b).ToArray(), // a CRC-32 byte
        };
        var e = Assert.Throws<LmevException>(() => Filter(dir, bytes));
        Assert.Contains("source.csv: the gzip", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Empty(new StageCache(Path.Combine(dir.Path, "cache")).Entries());
    }

    [Fact]
    public void An_unbalanced_quote_is_skipped_counted_and_reported_with_its_line()
    {
        // RFC 4180: a quote never closed runs to the end of the file, which is then one bad row.
        using var dir = new TempDir();
        var (m, rows) = Filter(dir, Csv("ok uno,reliable,spanish,A\n\"cerrada\"x,reliable,spanish,C\nok dos,reliable,spanish,B\n\"sin cerrar,reliable,spanish,A\nnunca leída,reliable,spanish,B\n"));
        Assert.Equal(["title,category", "ok uno,A", "ok dos,B"], rows);
        Assert.Equal(2, BadCount(m, "unbalanced quote"));
        Assert.Equal([3, 5], BadLines(m, "unbalanced quote"));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_quoted_line_break_stays_in_its_field_and_the_next_row_is_read_whole(string eol)
    {
        using var dir = new TempDir();
        var (m, _) = Filter(dir, Csv($"\"Once upon {eol}a time\",reliable,spanish,A{eol}siete,reliable,spanish,B{eol}"));
        Assert.Equal(2, (long)m.Report["rowsKept"]!);
        Assert.Equal(0, (long)m.Report["rowsBad"]!);
        var text = File.ReadAllText(Path.Combine(m.Directory, FilterSpanishStage.Output));
        Assert.Equal($"title,category\n\"Once upon {eol}a time\",A\nsiete,B\n", text);
    }

    [Fact]
    public void A_row_with_the_wrong_field_count_is_skipped_counted_and_reported_with_its_line()
    {
        using var dir = new TempDir();
        var (m, rows) = Filter(dir, Csv("ok,reliable,spanish,A\nde más,reliable,spanish,A,extra\nde menos,spanish,A\nok,reliable,spanish,B\n"));
        Assert.Equal(3, rows.Length);
        Assert.Equal(2, BadCount(m, "wrong field count"));
        Assert.Equal([3, 4], BadLines(m, "wrong field count"));
    }

    [Fact]
    public void Invalid_utf8_is_skipped_counted_and_reported_with_its_line()
    {
        using var dir = new TempDir();
        var bytes = Csv("ok,reliable,spanish,A\nX,reliable,spanish,A\nok,reliable,spanish,B\n");
        var latin1 = Encoding.Latin1.GetBytes("Cañón,reliable,spanish,A\n"); // ñ and ó as single bytes: not UTF-8
        bytes = [.. bytes.Take(Header.Length + "ok,reliable,spanish,A\n".Length), .. latin1, .. bytes.Skip(Header.Length + "ok,reliable,spanish,A\nX,reliable,spanish,A\n".Length)];
        var (m, rows) = Filter(dir, bytes);
        Assert.Equal(3, rows.Length);
        Assert.Equal(1, BadCount(m, "invalid UTF-8"));
        Assert.Equal([3], BadLines(m, "invalid UTF-8"));
    }

    [Fact]
    public void An_empty_or_blank_title_is_skipped_counted_and_reported_with_its_line()
    {
        using var dir = new TempDir();
        var (m, rows) = Filter(dir, Csv("ok,reliable,spanish,A\n,reliable,spanish,A\n\"   \",reliable,spanish,A\nok,reliable,spanish,B\n"));
        Assert.Equal(3, rows.Length);
        Assert.Equal(2, BadCount(m, "empty title"));
        Assert.Equal([3, 4], BadLines(m, "empty title"));
        Assert.Equal(2, (long)m.Report["rowsBad"]!);
    }

    [Fact]
    public void Strict_mode_stops_at_the_first_bad_row_with_file_line_and_reason_and_publishes_nothing()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<LmevException>(() => Filter(dir, Csv("ok,reliable,spanish,A\nok,reliable,spanish\n"), strict: true));
        Assert.Contains("source.csv:3: bad row: wrong field count", e.Message);
        Assert.Empty(new StageCache(Path.Combine(dir.Path, "cache")).Entries());
    }

    [Fact]
    public void A_missing_column_names_the_file_the_column_and_the_columns_found()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<LmevException>(() => Filter(dir, Encoding.UTF8.GetBytes("name,category\nx,A\n")));
        Assert.Contains("source.csv:1: missing required column 'title'. Available columns: name, category", e.Message);
    }

    [Fact]
    public void Without_a_language_column_a_detector_keeps_the_spanish_titles()
    {
        using var dir = new TempDir();
        var csv = "title,category\n" +
                  "Zapatillas deportivas para correr de mujer talle 38,SHOES\n" +
                  "Tênis esportivo para corrida feminino tamanho 38 não usado,SHOES\n" +
                  "Juego de sábanas de algodón para cama matrimonial,BEDDING\n" +
                  "Jogo de lençóis de algodão para cama de casal com fronhas,BEDDING\n";
        var (m, rows) = Filter(dir, Encoding.UTF8.GetBytes(csv), p: new FilterParams(LanguageColumn: null));
        Assert.Equal(["title,category", "Zapatillas deportivas para correr de mujer talle 38,SHOES", "Juego de sábanas de algodón para cama matrimonial,BEDDING"], rows);
        Assert.StartsWith("Lingua", (string)m.Report["languageFrom"]!);
    }
}
