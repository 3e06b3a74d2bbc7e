using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Unicode;

namespace Lmev.Pipeline.Csv;

/// <summary>Why a row could not be read; the row is skipped (or, in strict mode, reading stops).</summary>
public enum RowProblem
{
    None,
    /// <summary>A quoted field never closed, text right after a closing quote, or a line break outside quotes.</summary>
    UnbalancedQuote,
    /// <summary>More or fewer fields than the header.</summary>
    WrongFieldCount,
    /// <summary>Bytes that are not UTF-8.</summary>
    InvalidUtf8,
}

/// <summary>
/// Streams RFC 4180 CSV (plain or gzip, detected by its magic bytes) one record at a time over raw
/// UTF-8 bytes, so memory does not depend on the file's size and a filter can pass rows through
/// without decoding them. A quoted field may hold commas, doubled quotes, LF and CRLF (RFC 4180
/// section 2, rules 6 and 7): a record ends at the first line break outside quotes, found by the
/// parity of the quotes seen since the record began. A record that cannot be parsed is skipped
/// whole, so its tail is never read as the next row; <see cref="LineNumber"/> is the physical line
/// where the record starts. A UTF-8 byte order mark before the header is ignored.
/// </summary>
public sealed class CsvRowReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 20];
    private int _start, _end;
    private bool _eof;
    private byte[] _unquoted = new byte[4096];
    private readonly List<(int Start, int Length, bool Unquoted)> _fields = new(8);
    private int _lineStart, _lineLength;
    private long _nextLine = 1;

    private readonly Stream? _file;

    public CsvRowReader(Stream stream, string path, Stream? file = null)
    {
        Path = path;
        _stream = stream;
        _file = file;
        while (_end - _start < 3 && !_eof) Refill();
        if (_buffer.AsSpan(_start, _end - _start).StartsWith("\uFEFF"u8)) _start += 3;
        if (!ReadLine()) throw new LmevException($"{path}: empty file; expected a CSV header line");
        var problem = Parse();
        if (problem != RowProblem.None) throw new LmevException($"{path}:1: cannot read the header line ({Describe(problem)})");
        Header = Enumerable.Range(0, _fields.Count).Select(i => Encoding.UTF8.GetString(Field(i))).ToArray();
    }

    /// <summary>Opens a CSV file, decompressing it when it starts with the gzip magic bytes (a truncated or damaged gzip stream is an error).</summary>
    /// <param name="shownAs">The name messages give the file (the user's own path or URL when this is a cached copy).</param>
    public static CsvRowReader Open(string path, string? shownAs = null)
    {
        if (!File.Exists(path)) throw new LmevException($"{shownAs ?? path}: file not found");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        var n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        // The file's bytes are hashed as they are read, on the read-ahead thread beside the parser, so that verifying this
        // input against its manifest (StageCache) needs no second pass over it (ReadHashes). A plain file of one buffer or
        // less is read directly: a second thread and a 1 MiB buffer would gain nothing.
        var hashed = new HashingReadStream(file);
        Stream s = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new ReadAheadStream(new GzipCheckedStream(hashed, shownAs ?? path))
            : file.Length > ReadAheadStream.BufferSize ? new ReadAheadStream(hashed)
            : hashed;
        return new CsvRowReader(s, shownAs ?? path, file);
    }

    public string Path { get; }

    public string[] Header { get; }

    /// <summary>How far into the file on disk reading has got (compressed bytes for gzip), for progress bars.</summary>
    public long FilePosition => _file?.Position ?? BytesRead;

    /// <summary>1-based physical line where the current record starts (the header is line 1).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Bytes read from the (decompressed) stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The current record's raw bytes, without its final line break (line breaks inside quotes kept).</summary>
    public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

    public int FieldCount => _fields.Count;

    /// <summary>Field <paramref name="i"/> of the current row, quotes removed and doubled quotes undone.</summary>
    public ReadOnlySpan<byte> Field(int i)
    {
        var (start, length, unquoted) = _fields[i];
        return unquoted ? _unquoted.AsSpan(start, length) : _buffer.AsSpan(start, length);
    }

    public string FieldString(int i) => Encoding.UTF8.GetString(Field(i));

    /// <summary>Index of a required column, or an error naming the file, the column and the columns found.</summary>
    public int Column(string name)
    {
        var i = Array.IndexOf(Header, name);
        if (i < 0)
            throw new LmevException($"{Path}:1: missing required column '{name}'. Available columns: {string.Join(", ", Header)}");
        return i;
    }

    /// <summary>
    /// Moves to the next row. Returns false at the end of the file; otherwise <paramref name="problem"/>
    /// says whether the row is usable (fields are only valid when it is <see cref="RowProblem.None"/>).
    /// </summary>
    public bool Next(out RowProblem problem)
    {
        problem = RowProblem.None;
        if (!ReadLine()) return false;
        if (!Utf8.IsValid(Line)) problem = RowProblem.InvalidUtf8;
        else
        {
            problem = Parse();
            if (problem == RowProblem.None && _fields.Count != Header.Length) problem = RowProblem.WrongFieldCount;
        }
        return true;
    }

    /// <summary>
    /// Moves to the next non-blank record (<see cref="Line"/>, <see cref="LineNumber"/>) without splitting it into fields or
    /// checking its UTF-8: for a file lmev wrote itself, whose bytes are verified against its manifest (StageCache checks the
    /// SHA-256 this reader takes on the way). Returns false at the end of the file.
    /// </summary>
    public bool NextRecord()
    {
        while (ReadLine())
            if (_lineLength > 0) return true;
        return false;
    }

    /// <summary>Like <see cref="Next"/> but skips blank lines (a trailing empty line is not a row).</summary>
    public bool NextNonBlank(out RowProblem problem)
    {
        while (Next(out problem))
            if (_lineLength > 0 || problem != RowProblem.None) return true;
        return false;
    }

    public static string Describe(RowProblem p) => p switch
    {
        RowProblem.UnbalancedQuote => "unbalanced quote",
        RowProblem.WrongFieldCount => "wrong field count",
        RowProblem.InvalidUtf8 => "invalid UTF-8",
        _ => "ok",
    };

    /// <summary>
    /// Moves to the next record: up to the first '\n' preceded by an even number of quotes since the
    /// record began. An odd count at the end of the file is an unclosed quote, left for
    /// <see cref="Parse"/> to report.
    /// </summary>
    private bool ReadLine()
    {
        var scanned = 0; // bytes after _start already known to be inside this record
        var quotes = 0;
        var breaks = 0;
        while (true)
        {
            var rest = _buffer.AsSpan(_start + scanned, _end - _start - scanned);
            // One scan for the first quote or line break: most records hold no quote, and end at the first '\n' it finds.
            var at = rest.IndexOfAny((byte)'\n', (byte)'"');
            if (at >= 0)
            {
                scanned += at + 1;
                if (rest[at] == '"') { quotes++; continue; }
                if ((quotes & 1) == 1) { breaks++; continue; } // a line break inside a quoted field
                SetLine(_start, scanned - 1, breaks + 1);
                _start += scanned;
                BytesRead += scanned;
                return true;
            }
            if (_eof)
            {
                if (_end == _start) return false;
                SetLine(_start, _end - _start, breaks + 1); // last record without a line break
                BytesRead += _end - _start;
                _start = _end;
                return true;
            }
            scanned += rest.Length;
            Refill();
        }
    }

    private void SetLine(int start, int length, int lines)
    {
        if (length > 0 && _buffer[start + length - 1] == '\r') length--;
        _lineStart = start;
        _lineLength = length;
        LineNumber = _nextLine;
        _nextLine += lines;
    }

    private void Refill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
    }

    private RowProblem Parse()
    {
        _fields.Clear();
        var line = Line;
        var offset = _lineStart;
        if (line.IndexOf((byte)'"') < 0)
        {
            // Fast path: no quotes at all.
            while (true)
            {
                var comma = line.IndexOf((byte)',');
                if (comma < 0) { _fields.Add((offset, line.Length, false)); return RowProblem.None; }
                _fields.Add((offset, comma, false));
                offset += comma + 1;
                line = line[(comma + 1)..];
            }
        }
        var unquotedUsed = 0;
        var pos = 0;
        while (true)
        {
            if (pos < line.Length && line[pos] == '"')
            {
                // Quoted field: copy its content to the side buffer, undoing doubled quotes.
                if (_unquoted.Length < unquotedUsed + line.Length) Array.Resize(ref _unquoted, Math.Max(_unquoted.Length * 2, unquotedUsed + line.Length));
                var begin = unquotedUsed;
                pos++;
                while (true)
                {
                    var q = line[pos..].IndexOf((byte)'"');
                    if (q < 0) return RowProblem.UnbalancedQuote;
                    line.Slice(pos, q).CopyTo(_unquoted.AsSpan(unquotedUsed));
                    unquotedUsed += q;
                    pos += q + 1;
                    if (pos < line.Length && line[pos] == '"') { _unquoted[unquotedUsed++] = (byte)'"'; pos++; continue; }
                    break;
                }
                _fields.Add((begin, unquotedUsed - begin, true));
                if (pos == line.Length) return RowProblem.None;
                if (line[pos] != ',') return RowProblem.UnbalancedQuote;
                pos++;
                if (pos == line.Length) { _fields.Add((offset + pos, 0, false)); return RowProblem.None; }
            }
            else
            {
                // Unquoted field: a quote inside it is taken literally, as most readers do, but a line
                // break is not: it means an odd number of such quotes pulled the next line in.
                var rest = line[pos..];
                var comma = rest.IndexOf((byte)',');
                if (rest[..(comma < 0 ? rest.Length : comma)].IndexOf((byte)'\n') >= 0) return RowProblem.UnbalancedQuote;
                if (comma < 0) { _fields.Add((offset + pos, rest.Length, false)); return RowProblem.None; }
                _fields.Add((offset + pos, comma, false));
                pos += comma + 1;
                if (pos == line.Length) { _fields.Add((offset + pos, 0, false)); return RowProblem.None; }
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
