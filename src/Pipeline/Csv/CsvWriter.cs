using System.Buffers;
using System.Text;

namespace Lmev.Pipeline.Csv;

/// <summary>
/// Writes RFC 4180 CSV as UTF-8 with '\n' line ends: a field is quoted only when it holds a comma,
/// a quote, a line break (LF or CR, kept as they are) or leading/trailing spaces, and quotes inside
/// it are doubled. A row of one empty field is written as <c>""</c> so it does not read as a blank line.
/// Fields can be written from raw UTF-8 bytes, so a filter can pass rows through without decoding.
/// </summary>
public sealed class CsvWriter : IDisposable
{
    private static readonly SearchValues<byte> NeedsQuoting = SearchValues.Create(",\"\r\n"u8);
    private readonly Stream _out;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;
    private bool _lineStarted;
    private int _rowStart;

    public CsvWriter(Stream output, bool leaveOpen = false)
    {
        _out = output;
        _leaveOpen = leaveOpen;
    }

    public static CsvWriter Create(string path) =>
        new(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16));

    public void Field(ReadOnlySpan<byte> utf8)
    {
        if (_lineStarted) Put((byte)',');
        else _rowStart = _used;
        _lineStarted = true;
        var quote = utf8.IndexOfAny(NeedsQuoting) >= 0 || (utf8.Length > 0 && (utf8[0] == ' ' || utf8[^1] == ' '));
        if (!quote)
        {
            Put(utf8);
            return;
        }
        Put((byte)'"');
        while (true)
        {
            var q = utf8.IndexOf((byte)'"');
            if (q < 0) break;
            Put(utf8[..(q + 1)]);
            Put((byte)'"');
            utf8 = utf8[(q + 1)..];
        }
        Put(utf8);
        Put((byte)'"');
    }

    public void Field(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var span = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var n = Encoding.UTF8.GetBytes(text, span);
        Field(span[..n]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
    }

    public void Field(long value) => Field(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void EndRow()
    {
        if (_lineStarted && _used == _rowStart) { Put((byte)'"'); Put((byte)'"'); } // one empty field, still in the buffer
        Put((byte)'\n');
        _lineStarted = false;
    }

    /// <summary>Writes a line that is already CSV (as read by <see cref="CsvRowReader.Line"/>).</summary>
    public void RawRow(ReadOnlySpan<byte> line)
    {
        Put(line);
        EndRow();
    }

    public void Row(params ReadOnlySpan<string> fields)
    {
        foreach (var f in fields) Field(f);
        EndRow();
    }

    private void Put(byte b)
    {
        if (_used == _buffer.Length) Flush();
        _buffer[_used++] = b;
    }

    private void Put(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                _out.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    public void Flush()
    {
        _out.Write(_buffer, 0, _used);
        _used = 0;
        _rowStart = -1; // the row's start left the buffer, so it has something in it
    }

    public void Dispose()
    {
        Flush();
        if (!_leaveOpen) _out.Dispose();
    }
}
