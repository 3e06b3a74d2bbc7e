using Lmev.Pipeline;

namespace Lmev.Pipeline.Fetching;

/// <summary>
/// Fetches one source pinned in <c>data.lock.json</c> (http(s)://, file:// or a local path) and
/// publishes it only when whole and verified against the lock's size and SHA-256.
/// </summary>
public sealed class SourceFetcher(string projectRoot, FileHashIndex hashes, Action<string> log, FetchOptions options)
{
    internal const string Offline = "--experiment=demo runs offline, with no download";

    /// <summary>
    /// Fetches the source <paramref name="name"/> (its lock entry is <paramref name="source"/>) to
    /// <paramref name="destinationPath"/>, which must not exist yet, keeping a partial download in
    /// <paramref name="partialDirectory"/> between attempts and between processes. Returns the
    /// verified entry, with Sha256 and Size filled in where the lock had them empty.
    /// </summary>
    public LockedSource Fetch(string name, LockedSource source, string destinationPath, string partialDirectory, CancellationToken cancellationToken = default)
    {
        if (options.Locked && source.Sha256.Length == 0)
            throw new LmevException($"{DataLock.FileName}: '{name}' has no sha256 and the lock is frozen (--locked); " +
                $"run once without --locked to fill it in, then commit {DataLock.FileName}");
        if (File.Exists(destinationPath))
            throw new LmevException($"{destinationPath}: already exists; the download of '{name}' never overwrites a file");

        var partial = new PartialDownload(partialDirectory, name, source.Url);
        using var claim = partial.Claim(name);
        LockedSource verified;
        if (Uri.TryCreate(source.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            new HttpDownload(name, uri, partial, log, options).RunAsync(source.Size, cancellationToken).GetAwaiter().GetResult();
            // The whole file is hashed once more rather than hashed while streaming: a resumed
            // download would otherwise have to re-read the bytes an earlier process wrote.
            var size = partial.Length;
            var sha = Hashing.Sha256OfFile(partial.PartPath);
            if (Mismatch(name, source, sha, size, destinationPath) is { } error)
            {
                partial.Delete();
                throw new LmevException(error);
            }
            verified = Filled(name, source, sha, size);
        }
        else
        {
            verified = CopyLocal(name, source, LocalPath(source.Url), partial, destinationPath, cancellationToken);
        }
        Publish(partial.PartPath, destinationPath);
        partial.Delete();
        return verified;
    }

    private string LocalPath(string url) =>
        url.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? new Uri(url).LocalPath
            : Path.GetFullPath(url, Path.GetFullPath(projectRoot));

    /// <summary>
    /// A local source is verified before it is copied (its hash is cached by path, size and mtime),
    /// so a wrong file costs no copy; the copy is then checked to have the size that was hashed.
    /// </summary>
    private LockedSource CopyLocal(string name, LockedSource source, string path, PartialDownload partial, string destinationPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new LmevException($"{DataLock.FileName}: '{name}' points to {source.Url}, but {path} does not exist; {Offline}");
        var size = new FileInfo(path).Length;
        var sha = hashes.Sha256(path);
        if (Mismatch(name, source, sha, size, destinationPath) is { } error) throw new LmevException(error);

        partial.Delete();
        using (var progress = new ProgressBar($"download {name}", size, "B"))
        using (var from = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        using (var to = partial.OpenForOverwrite())
        {
            var buffer = new byte[1 << 20];
            int n;
            while ((n = from.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                to.Write(buffer, 0, n);
                progress.Report(to.Position);
            }
        }
        if (partial.Length != size)
        {
            partial.Delete();
            throw new LmevException($"{path}: changed while it was copied ({size} bytes when hashed, {partial.Length} copied); run again");
        }
        return Filled(name, source, sha, size);
    }

    /// <summary>What is wrong with the bytes, naming expected and actual values; null when they match the lock.</summary>
    private string? Mismatch(string name, LockedSource source, string sha, long size, string destinationPath)
    {
        var wrongSha = source.Sha256.Length > 0 && !source.Sha256.Equals(sha, StringComparison.OrdinalIgnoreCase);
        var wrongSize = source.Size > 0 && source.Size != size;
        if (!wrongSha && !wrongSize) return null;

        var found = new List<string>();
        if (wrongSha) found.Add($"expected sha256 {source.Sha256}, found {sha}");
        if (wrongSize) found.Add($"expected {source.Size} bytes, found {size}");
        var advice = options.Locked
            ? $"The lock is frozen (--locked): fix the source, or update '{name}' in {DataLock.FileName} in a commit."
            : $"If the source changed on purpose, update '{name}' in {DataLock.FileName} (an empty sha256 and size 0 trust the next download).";
        return $"{DataLock.FileName}: '{name}' from {source.Url}: {string.Join("; ", found)}. " +
            $"The bytes were deleted; nothing was written to {destinationPath}. {advice}";
    }

    /// <summary>Trust on first use: an empty hash or size in the lock is filled from the verified bytes.</summary>
    private LockedSource Filled(string name, LockedSource source, string sha, long size)
    {
        // A frozen lock is never changed; its hash has matched, so a missing size does no harm.
        if (options.Locked || (source.Sha256.Length > 0 && source.Size > 0)) return source;
        var filled = source with
        {
            Sha256 = source.Sha256.Length > 0 ? source.Sha256 : sha,
            Size = source.Size > 0 ? source.Size : size,
        };
        var what = source.Sha256.Length == 0 ? "sha256" : "size";
        log($"{DataLock.FileName}: '{name}' had no {what}; filled with {filled.Sha256} ({filled.Size} bytes) (trust on first use) — commit {DataLock.FileName}");
        return filled;
    }

    /// <summary>
    /// Makes the file appear whole, in one rename. File.Move copies when the partial folder is on
    /// another filesystem, so the file first moves to a temporary sibling of the destination and
    /// only the final rename, within one folder, makes it visible.
    /// </summary>
    private static void Publish(string partPath, string destinationPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destinationPath))!);
        var tmp = $"{destinationPath}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            File.Move(partPath, tmp);
            File.Move(tmp, destinationPath, overwrite: false);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
