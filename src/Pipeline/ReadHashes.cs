using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Lmev.Pipeline;

/// <summary>
/// The SHA-256 of input files as a stage read them whole (<see cref="HashingReadStream"/>), so that verifying an input
/// against its upstream manifest costs no second pass over its bytes. Each hash is kept with the file's size and
/// modification time when it was read, and is used only while both are unchanged; a file read partly, or by other
/// means (a model runtime, an .npy reader), has none, and <see cref="Sha256"/> reads it again.
/// </summary>
public static class ReadHashes
{
    private readonly record struct Seen(long Length, DateTime Modified, string Sha256);

    private static readonly ConcurrentDictionary<string, Seen> Hashes = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="path"/> was read whole and hashed to <paramref name="sha256"/>.</summary>
    internal static void Record(string path, long length, DateTime modified, string sha256) =>
        Hashes[Path.GetFullPath(path)] = new Seen(length, modified, sha256);

    /// <summary>Forgets what was read of these files (a stage's inputs, before it runs), so only this run's reads count.</summary>
    public static void Forget(IEnumerable<string> paths)
    {
        foreach (var path in paths) Hashes.TryRemove(Path.GetFullPath(path), out _);
    }

    /// <summary>The file's SHA-256: as it was read whole, when it has not changed since; otherwise hashed now.</summary>
    public static string Sha256(string path)
    {
        var info = new FileInfo(path);
        if (Hashes.TryGetValue(Path.GetFullPath(path), out var seen) && seen.Length == info.Length && seen.Modified == info.LastWriteTimeUtc)
            return seen.Sha256;
        return Hashing.Sha256OfFile(path);
    }

    /// <summary>Whether a hash of the whole file as read is held (for tests and the log).</summary>
    public static bool Holds(string path) => Hashes.ContainsKey(Path.GetFullPath(path));
}

/// <summary>
/// A read-only stream over a file that hashes the bytes as they pass, and records the file's SHA-256 in
/// <see cref="ReadHashes"/> once every byte was read in order from the start. Bytes read elsewhere (after a seek, e.g.
/// to a gzip trailer) are not hashed; reading on from where the hash stopped takes it up again.
/// </summary>
public sealed class HashingReadStream(FileStream file) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly FileInfo _info = new(file.Name);
    private long _hashed;
    private bool _recorded;

    public override int Read(Span<byte> buffer)
    {
        var from = file.Position;
        var n = file.Read(buffer);
        Hash(from, buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var from = file.Position;
        var n = await file.ReadAsync(buffer, cancellationToken);
        Hash(from, buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Hash(long from, ReadOnlySpan<byte> bytes)
    {
        if (_recorded || from != _hashed || bytes.Length == 0) return;
        _hash.AppendData(bytes);
        _hashed += bytes.Length;
        if (_hashed != _info.Length) return;
        _recorded = true;
        ReadHashes.Record(file.Name, _info.Length, _info.LastWriteTimeUtc, Convert.ToHexStringLower(_hash.GetHashAndReset()));
    }

    public override bool CanSeek => file.CanSeek;
    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => file.Position = value;
    }

    public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);


    protected override void Dispose(bool disposing)
    {
        if (disposing) { file.Dispose(); _hash.Dispose(); }
        base.Dispose(disposing);
    }
}
