using System.IO.Compression;

namespace Lmev.Pipeline.Fetching;

/// <summary>
/// A cheap look at the first bytes of a file the lock calls gzip (<c>tar.gz</c>, <c>csv.gz</c>),
/// done before trust on first use pins its hash: a server that answers a sign-in or error page
/// with 200 OK would otherwise have that page pinned as the model. A model archive may be what TF Hub's own
/// resolver reads (tensorflow_hub/file_utils.py, <c>tarfile.open(mode="r|*")</c>): a gzip tar, of one member or
/// several, or an uncompressed tar; lmev takes those two, and names anything else it finds.
/// </summary>
internal static class GzipContentCheck
{
    private const int TarBlock = 512;

    /// <summary>Whether the lock's format promises gzip bytes.</summary>
    public static bool Applies(string format) => format is "tar.gz" or "csv.gz" or "gz" or "tgz";

    /// <summary>What the format promises, for messages: "a gzip tar" or "a gzip file".</summary>
    public static string Expected(string format) => IsTar(format) ? "a gzip tar" : "a gzip file";

    /// <summary>Null when <paramref name="path"/> looks like <paramref name="format"/>; else what it is instead, e.g. "an HTML page".</summary>
    public static string? Problem(string path, string format)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var head = new byte[64];
        var n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n == 0) return "an empty file";
        if (LooksLikeHtml(head.AsSpan(0, n))) return "an HTML page";
        if (n < 2 || head[0] != 0x1f || head[1] != 0x8b)
        {
            if (IsTar(format) && IsUncompressedTar(file)) return null;
            return $"{Named(head.AsSpan(0, n))}not gzip (it starts with {Convert.ToHexString(head, 0, Math.Min(n, 8))}, gzip starts with 1F8B" +
                (IsTar(format) ? ", a tar has a header at byte 257 \"ustar\" or a valid checksum" : "") + ")";
        }
        if (!IsTar(format)) return null;

        file.Position = 0;
        var block = new byte[TarBlock];
        int read;
        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            read = gzip.ReadAtLeast(block, TarBlock, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            return $"damaged gzip ({e.Message})";
        }
        if (read < TarBlock) return $"gzip of {read} bytes, too short for a tar header ({TarBlock} bytes)";
        return IsTarHeader(block) ? null : "gzip, but what it holds is not a tar (its first 512 bytes are no tar header)";
    }

    /// <summary>
    /// Null when the gzip at <paramref name="path"/> decompresses to its end and its trailer's ISIZE (RFC 1952 §2.3.1: the
    /// content's length mod 2^32) matches what came out; else what is wrong. .NET's GZipStream ends a cut-off stream without
    /// an error, so this is what tells a download cut short from a whole one when there is no pinned hash to tell. It reads
    /// every byte: done only before trust on first use. A gzip of several members (bgzip) records only its last member's
    /// length, so it is refused too; its sha256 must then be pinned by hand.
    /// </summary>
    public static string? WholeProblem(string path, string format = "tar.gz")
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        if (IsTar(format) && IsUncompressedTar(file))
        {
            using var tar = new CountingStream(file);
            while (tar.Read(buffer) > 0) { }
            return EndsLikeATar(tar) ? null
                : $"a cut-off tar: {tar.BytesRead:N0} bytes that do not end with a tar's end-of-archive marker (two zero blocks of 512 bytes)";
        }
        if (file.Length < 18) return $"a gzip of {file.Length} bytes, shorter than gzip's header and trailer";
        long content = 0;
        var tail = 0L;
        try
        {
            using var gzip = new CountingStream(new GZipStream(file, CompressionMode.Decompress, leaveOpen: true));
            while (gzip.Read(buffer) > 0) { }
            (content, tail) = (gzip.BytesRead, gzip.TrailingZeros);
        }
        catch (InvalidDataException e)
        {
            return $"damaged gzip ({e.Message})";
        }
        file.Position = file.Length - 4;
        var trailer = new byte[4];
        file.ReadExactly(trailer);
        var recorded = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (recorded == (uint)content) return null;
        // Several members (pigz, concatenated gzips): the trailer holds the last member's length only. A tar inside is
        // whole when it ends with its end-of-archive marker; a gzip cut short leaves a prefix that does not.
        if (IsTar(format) && content % TarBlock == 0 && tail >= 2 * TarBlock && LastMemberIsWhole(file)) return null;
        return $"a cut-off gzip: it decompresses to {content:N0} bytes, but its last 4 bytes, where gzip records the length, say {recorded:N0}" +
            (IsTar(format) ? ", and what it holds does not end with a tar's end-of-archive marker" : " (or a gzip of several members, which cannot be checked so: pin its sha256 by hand)");
    }

    /// <summary>
    /// Whether the file ends with a whole gzip member: from some member header (1F 8B 08) near the end, the bytes decompress
    /// (zlib checking the member's CRC-32 and length) to exactly the length its trailer records. A gzip cut inside its last
    /// member has no such header; a gzip of several members (pigz, concatenated files) does. Tries the 16 nearest headers.
    /// </summary>
    internal static bool LastMemberIsWhole(FileStream file)
    {
        if (file.Length < 18) return false;
        var trailer = new byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        var recorded = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var chunk = new byte[1 << 20];
        var tried = 0;
        for (var end = file.Length - 18; end > 0 && tried < 16;)
        {
            var start = Math.Max(0, end - chunk.Length);
            file.Position = start;
            var n = file.ReadAtLeast(chunk.AsSpan(0, (int)(end - start + 2)), (int)(end - start + 2), throwOnEndOfStream: false);
            for (var i = n - 3; i >= 0 && tried < 16; i--)
            {
                if (chunk[i] != 0x1f || chunk[i + 1] != 0x8b || chunk[i + 2] != 0x08) continue;
                tried++;
                file.Position = start + i;
                try
                {
                    using var member = new CountingStream(new GZipStream(new ReadOnlyWindow(file, file.Length - start - i), CompressionMode.Decompress));
                    var sink = new byte[1 << 16];
                    while (member.Read(sink) > 0) { }
                    if ((uint)member.BytesRead == recorded) return true;
                }
                catch (InvalidDataException) { }
            }
            end = start;
        }
        return false;
    }

    /// <summary>Whether what was read ends as a tar does: whole 512-byte blocks, the last two of them zeros.</summary>
    internal static bool EndsLikeATar(CountingStream read) => read.BytesRead % TarBlock == 0 && read.TrailingZeros >= 2 * TarBlock;

    /// <summary>An uncompressed tar: its first 512 bytes are a tar header (the position is put back to 0).</summary>
    internal static bool IsUncompressedTar(Stream file)
    {
        file.Position = 0;
        var block = new byte[TarBlock];
        var read = file.ReadAtLeast(block, TarBlock, throwOnEndOfStream: false);
        file.Position = 0;
        return read == TarBlock && IsTarHeader(block);
    }

    /// <summary>What a file that is no gzip may be instead, by its magic bytes, as "bzip2, " — or "" when unknown.</summary>
    private static string Named(ReadOnlySpan<byte> head) =>
        head.StartsWith("BZh"u8) ? "bzip2, " :
        head.StartsWith((ReadOnlySpan<byte>)[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) ? "xz, " :
        head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]) ? "zstd, " :
        head.StartsWith("PK\u0003\u0004"u8) ? "a zip archive, " :
        head.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) ? "a 7z archive, " : "";

    private static bool IsTar(string format) => format is "tar.gz" or "tgz";

    /// <summary>HTML starts with '&lt;' (<c>&lt;!DOCTYPE</c>, <c>&lt;html</c>, a comment) after optional whitespace and a UTF-8 byte order mark.</summary>
    private static bool LooksLikeHtml(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) head = head[3..];
        var i = 0;
        while (i < head.Length && head[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i < head.Length && head[i] == (byte)'<';
    }

    /// <summary>
    /// A POSIX ustar / GNU header ("ustar" at offset 257), or any tar header whose checksum at
    /// offset 148 (octal) equals the sum of its bytes with the checksum field read as spaces
    /// (POSIX.1-1988 §10.1.1; old tars summed signed bytes, so both sums are accepted).
    /// </summary>
    internal static bool IsTarHeader(ReadOnlySpan<byte> block)
    {
        if (block.Length < TarBlock) return false;
        if (block.Slice(257, 5).SequenceEqual("ustar"u8)) return true;
        var field = System.Text.Encoding.ASCII.GetString(block.Slice(148, 8)).Trim(' ', '\0');
        if (field.Length == 0 || field.Any(c => c is < '0' or > '7')) return false;
        var recorded = Convert.ToInt64(field, 8);
        long unsigned = 0, signed = 0;
        for (var i = 0; i < TarBlock; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return recorded == unsigned || recorded == signed;
    }
}
