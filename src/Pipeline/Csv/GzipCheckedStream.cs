using System.Buffers.Binary;
using System.IO.Compression;

namespace Lmev.Pipeline.Csv;

/// <summary>
/// Decompresses a gzip file and, at its end, checks the trailer's ISIZE (RFC 1952 section 2.3.1:
/// the uncompressed size modulo 2^32) against what was decompressed. .NET's GZipStream reports a
/// stream cut short as a normal end, so without this a truncated download reads as a smaller file;
/// a CRC or data error it does throw is turned into a message naming the file. A multi-member file
/// (concatenated gzip streams) is checked against its last member's size only, so its parts must be
/// whole; none of our sources are written that way.
/// </summary>
public sealed class GzipCheckedStream : ReadOnlyStream
{
    private readonly string _path;
    private readonly GZipStream _gzip;
    private readonly uint _trailerSize;
    private readonly bool _hasTrailer;
    private long _read;

    public GzipCheckedStream(Stream file, string path)
    {
        _path = path;
        if (file.Length >= 18) // a 10-byte header and an 8-byte trailer at least
        {
            Span<byte> isize = stackalloc byte[4];
            file.Position = file.Length - 4;
            file.ReadExactly(isize);
            _trailerSize = BinaryPrimitives.ReadUInt32LittleEndian(isize);
            _hasTrailer = true;
        }
        file.Position = 0;
        _gzip = new GZipStream(file, CompressionMode.Decompress);
    }

    public override int Read(Span<byte> destination)
    {
        int n;
        try { n = _gzip.Read(destination); }
        catch (InvalidDataException e)
        {
            throw new LmevException($"{_path}: the gzip data is damaged after {_read:N0} decompressed bytes (a CRC or format error: {e.Message}); " +
                "download or copy the file again (`lmev download --force`)");
        }
        if (n == 0 && destination.Length > 0 && (!_hasTrailer || (uint)_read != _trailerSize))
            throw new LmevException($"{_path}: the gzip stream ends early: {_read:N0} bytes decompressed, but its trailer " +
                (_hasTrailer ? $"records {_trailerSize:N0} (modulo 2^32)" : "is missing") +
                "; the file is truncated: download or copy it again (`lmev download --force`)");
        _read += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }
}
