using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;

namespace Lmev.Tests.Pipeline;

/// <summary>RFC 4180 reading and writing: the cases of issue 11 and a round-trip property.</summary>
public sealed class CsvRfc4180Tests
{
    private static List<(long Line, RowProblem Problem, string[] Fields)> Read(string csv, out string[] header)
    {
        using var reader = new CsvRowReader(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "t.csv");
        header = reader.Header;
        var rows = new List<(long, RowProblem, string[])>();
        while (reader.NextNonBlank(out var problem))
            rows.Add((reader.LineNumber, problem,
                problem == RowProblem.None ? Enumerable.Range(0, reader.FieldCount).Select(reader.FieldString).ToArray() : []));
        return rows;
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_quoted_field_holding_a_line_break_is_one_field_and_the_next_row_starts_on_its_own_line(string eol)
    {
        var rows = Read($"a,b,c{eol}1,2,3{eol}\"Once upon {eol}a time\",5,6{eol}7,8,9{eol}", out var header);
        Assert.Equal(["a", "b", "c"], header);
        Assert.Equal(3, rows.Count);
        Assert.Equal((2L, RowProblem.None), (rows[0].Line, rows[0].Problem));
        Assert.Equal((3L, RowProblem.None), (rows[1].Line, rows[1].Problem));
        Assert.Equal([$"Once upon {eol}a time", "5", "6"], rows[1].Fields);
        Assert.Equal((5L, RowProblem.None), (rows[2].Line, rows[2].Problem));
        Assert.Equal(["7", "8", "9"], rows[2].Fields);
    }

    [Fact]
    public void Doubled_quotes_and_line_breaks_together_are_undone_exactly()
    {
        var rows = Read("a,b\n\"ha \n\"\"ha\"\" \nha\",x\nlast,y\n", out _);
        Assert.Equal(["ha \n\"ha\" \nha", "x"], rows[0].Fields);
        Assert.Equal(["last", "y"], rows[1].Fields);
        Assert.Equal([2L, 5L], rows.Select(r => r.Line));
    }

    [Fact]
    public void A_bad_row_is_skipped_whole_and_never_lends_its_tail_to_the_next_row()
    {
        var rows = Read("a,b\n\"open \n text\"junk,1\n\"ok\",2\n", out _);
        Assert.Equal((2L, RowProblem.UnbalancedQuote), (rows[0].Line, rows[0].Problem));
        Assert.Equal((4L, RowProblem.None), (rows[1].Line, rows[1].Problem));
        Assert.Equal(["ok", "2"], rows[1].Fields);
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public void A_byte_order_mark_before_a_quoted_header_is_ignored()
    {
        Read("\uFEFF\"title\",category\nx,y\n", out var header);
        Assert.Equal(["title", "category"], header);
    }

    [Fact]
    public void Ten_thousand_random_titles_are_written_and_read_back_identical()
    {
        var random = new Random(11);
        string[] pieces = ["\"", ",", "\n", "\r\n", "\r", " ", "ñ", "ó", "Ü", "😀", "👩‍👩‍👧", "a", "Zapatilla", "\"\"", "'", ";", "\t", "x,y"];
        var titles = Enumerable.Range(0, 10_000).Select(_ =>
            string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => pieces[random.Next(pieces.Length)]))).ToArray();
        var buffer = new MemoryStream();
        using (var writer = new CsvWriter(buffer, leaveOpen: true))
        {
            writer.Row("title", "n");
            for (var i = 0; i < titles.Length; i++) writer.Row(titles[i], i.ToString());
        }
        buffer.Position = 0;
        using var reader = new CsvRowReader(buffer, "t.csv");
        var back = new List<string>();
        while (reader.Next(out var problem))
        {
            Assert.Equal(RowProblem.None, problem);
            Assert.Equal(back.Count.ToString(), reader.FieldString(1));
            back.Add(reader.FieldString(0));
        }
        Assert.Equal(titles, back);
    }

    [Fact]
    public void A_row_of_one_empty_field_is_written_so_it_reads_back()
    {
        var buffer = new MemoryStream();
        using (var writer = new CsvWriter(buffer, leaveOpen: true)) { writer.Row("title"); writer.Row(""); writer.Row("x"); }
        buffer.Position = 0;
        using var reader = new CsvRowReader(buffer, "t.csv");
        Assert.True(reader.NextNonBlank(out _));
        Assert.Equal("", reader.FieldString(0));
        Assert.True(reader.NextNonBlank(out _));
        Assert.Equal("x", reader.FieldString(0));
    }
}
