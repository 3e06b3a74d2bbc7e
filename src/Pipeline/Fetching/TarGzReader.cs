using System.Formats.Tar;
using System.IO.Compression;

namespace Lmev.Pipeline.Fetching;

/// <summary>
/// The entry-by-entry work of <see cref="SafeTarExtractor"/>: reads a tar.gz once, refusing every
/// entry that is not a regular file or a folder inside <c>root</c>, and turns the runtime's gzip and
/// tar exceptions into errors that name the archive and the entry.
/// </summary>
internal sealed class TarGzReader(string archivePath, string displayName, string root, long bound)
{
    private long _written;
    private string? _inside; // the entry being written
    private string? _last; // the last entry written

    private string Archive => $"{archivePath} ({displayName})";

    public void ExtractAll()
    {
        using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var gzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        // TF Hub's resolver reads an uncompressed tar as well (tarfile mode "r|*").
        if (!gzip && !GzipContentCheck.IsUncompressedTar(file))
            throw new LmevException($"{Archive}: is neither gzip (it does not start with 1F8B) nor an uncompressed tar (no tar header in its first 512 bytes); " +
                $"expected a .tar.gz as TF Hub serves it. Check the source's format in {DataLock.FileName}.");
        file.Position = 0;
        var trailerSize = gzip ? GzipTrailerSize(file) : 0;
        using var counted = new CountingStream(gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file);
        try
        {
            using var reader = new TarReader(counted);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                _inside = entry.Name;
                Write(entry);
                (_inside, _last) = (null, entry.Name);
            }
            counted.CopyTo(Stream.Null); // the end-of-archive blocks, so that the count below is the whole gzip
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException)
        {
            var where = _inside is not null ? $"inside entry '{_inside}'" : _last is not null ? $"after entry '{_last}'" : "before its first entry";
            var what = e is EndOfStreamException ? "ends early" : "is damaged";
            throw new LmevException($"{Archive}: {what} {where} ({e.Message}); nothing was extracted. " +
                "The file was probably cut short or corrupted in transfer: delete it and fetch it again.", e);
        }
        // .NET's GZipStream ends quietly when the file is cut inside its last block or its trailer, where
        // gzip records the uncompressed size modulo 2^32 (RFC 1952 §2.3.1); a single-member gzip, as tar
        // and TF Hub write, must match it. A gzip of several members records only its last member's size: its tar
        // is whole when it ends with the end-of-archive marker, which a cut-off prefix does not. So must a plain tar.
        if (!gzip && !GzipContentCheck.EndsLikeATar(counted))
            throw new LmevException($"{Archive}: ends early: its {counted.BytesRead:N0} bytes do not end with a tar's end-of-archive marker " +
                "(two zero blocks); nothing was extracted. Delete it and fetch it again.");
        if (gzip && trailerSize != (uint)counted.BytesRead && !(GzipContentCheck.EndsLikeATar(counted) && GzipContentCheck.LastMemberIsWhole(file)))
            throw new LmevException($"{Archive}: ends early or is damaged: its gzip trailer records {trailerSize} uncompressed bytes " +
                $"(mod 2^32), {counted.BytesRead} were read; nothing was extracted. Delete it and fetch it again.");
    }

    private void Write(TarEntry entry)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) return; // pax metadata, no file
        var relative = RelativePath(entry);
        var refusal = entry.EntryType switch
        {
            TarEntryType.SymbolicLink => $"is a symbolic link to '{entry.LinkName}'",
            TarEntryType.HardLink => $"is a hard link to '{entry.LinkName}'",
            TarEntryType.CharacterDevice => "is a character device",
            TarEntryType.BlockDevice => "is a block device",
            TarEntryType.Fifo => "is a FIFO (named pipe)",
            TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => null,
            var other => $"has type {other}, which is neither a file nor a folder",
        };
        if (refusal is not null) Refuse(entry, refusal + "; a model archive may hold only regular files and folders");
        if (relative.Length == 0)
        {
            if (entry.EntryType == TarEntryType.Directory) return; // "./", the archive's root
            Refuse(entry, "is a file with an empty name");
        }
        var target = Path.GetFullPath(Path.Combine(root, relative));
        if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            Refuse(entry, $"would be written to {target}, outside the destination"); // e.g. a backslash path on Windows
        try
        {
            if (entry.EntryType == TarEntryType.Directory)
            {
                Directory.CreateDirectory(target);
                return;
            }
            if (_written + entry.Length > bound) RefuseBound(entry, _written + entry.Length);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            if (entry.DataStream is { } data) CopyBounded(entry, data, output);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new LmevException($"{Archive}: entry '{entry.Name}' could not be written to {target}: {e.Message}; nothing was extracted.", e);
        }
    }

    /// <summary>
    /// Counts what is written rather than trusting the header's size. The entry's data stream ends
    /// quietly where the archive is cut, so a short copy is turned into the "ends early" error here.
    /// </summary>
    private void CopyBounded(TarEntry entry, Stream data, Stream output)
    {
        var buffer = new byte[1 << 16];
        long copied = 0;
        int n;
        while ((n = data.Read(buffer)) > 0)
        {
            _written += n;
            copied += n;
            if (_written > bound) RefuseBound(entry, _written);
            output.Write(buffer, 0, n);
        }
        if (copied < entry.Length) throw new EndOfStreamException($"{copied:N0} of its {entry.Length:N0} bytes are there");
    }

    /// <summary>
    /// The entry's path inside the destination, with '/' separators: "./" and empty components
    /// dropped; absolute paths and ".." refused, so that no name can reach outside.
    /// </summary>
    private string RelativePath(TarEntry entry)
    {
        var name = entry.Name;
        if (name.StartsWith('/') || name.StartsWith('\\') || name.Length >= 2 && name[1] == ':')
            Refuse(entry, "is an absolute path");
        var parts = name.Split('/', '\\').Where(p => p.Length > 0 && p != ".").ToArray();
        if (parts.Contains("..")) Refuse(entry, "has a '..' component, which would reach outside the destination");
        return string.Join('/', parts);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Refuse(TarEntry entry, string why) =>
        throw new LmevException($"{Archive}: entry '{entry.Name}' {why}; nothing was extracted. " +
            "The archive is not what the pipeline can use safely: check the source, or unpack it by hand and pin the folder.");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void RefuseBound(TarEntry entry, long total) =>
        throw new LmevException($"{Archive}: entry '{entry.Name}' takes the unpacked size to {total:N0} bytes, past the bound of {bound:N0} " +
            $"bytes; nothing was extracted. A decompression bomb, or a bigger model than expected: pass a larger maxUnpackedBytes if the archive is trusted.");

    /// <summary>The last 4 bytes of a gzip file: ISIZE, the uncompressed size mod 2^32, little-endian.</summary>
    private static uint GzipTrailerSize(FileStream file)
    {
        if (file.Length < 18) return uint.MaxValue; // shorter than a gzip header and trailer: the reader reports it
        Span<byte> isize = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(isize);
        file.Position = 0;
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(isize);
    }
}
