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

    [Fact]
    public void An_unbalanced_quote_is_skipped_counted_and_reported_with_its_line()
    {
        using var dir = new TempDir();
        var (m, rows) = Filter(dir, Csv("ok uno,reliable,spanish,A\n\"sin cerrar,reliable,spanish,A\nok dos,reliable,spanish,B\n\"cerrada\"x,reliable,spanish,C\n"));
        Assert.Equal(3, rows.Length);
        Assert.Equal(2, BadCount(m, "unbalanced quote"));
        Assert.Equal([3, 5], BadLines(m, "unbalanced quote"));
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
