using Lmev.Pipeline;

namespace Lmev.Pipeline.Fetching;

/// <summary>
/// Fetches one source pinned in <c>data.lock.json</c> (http(s)://, file:// or a local path) and
/// publishes it only when whole and verified against the lock's size and SHA-256.
/// </summary>
public sealed class SourceFetcher(string projectRoot, FileHashIndex hashes, Action<string> log, FetchOptions options)
{
    internal const string Offline = "--experiment=demo runs offline, with no download";

    /// <summary>What a user without network can do instead: bring the file by hand, or run the demo.</summary>
    internal static string WaysForward(string name) =>
        $"Two ways forward without network: download it elsewhere and point the url of '{name}' in {DataLock.FileName} at your copy " +
        $"(a path relative to the project or a file:// URL; a model may also be its extracted folder): the lock's sha256 still verifies the copy, " +
        $"or is filled from it on first use when empty; " +
        $"or {Offline}";

    /// <summary>
    /// Fetches the source <paramref name="name"/> (its lock entry is <paramref name="source"/>) to
    /// <paramref name="destinationPath"/>, which must not exist yet, keeping a partial download in
    /// <paramref name="partialDirectory"/> between attempts and between processes. Returns the
    /// verified entry, with Sha256 and Size filled in where the lock had them empty, and the URL the
    /// bytes came from after redirects.
    /// </summary>
    public FetchedSource Fetch(string name, LockedSource source, string destinationPath, string partialDirectory, CancellationToken cancellationToken = default)
    {
        RequireHashWhenFrozen(name, source);
        if (File.Exists(destinationPath))
            throw new LmevException($"{destinationPath}: already exists; the download of '{name}' never overwrites a file");

        var partial = new PartialDownload(partialDirectory, name, source.Url);
        try { return FetchClaimed(name, source, destinationPath, partial, cancellationToken); }
        catch (Exception e) when (IoFailure.Classify(e) is { Kind: IoFailureKind.NoSpace or IoFailureKind.Quota } full)
        {
            // The pinned size is what the file needs; without one, what arrived so far is a lower bound.
            var needed = source.Size > 0 ? full.WithNeeded(source.Size, $"the size {DataLock.FileName} pins for '{name}'")
                : full.WithWritten(partial.Length);
            needed = needed.Measured();
            throw (partial.Length > 0 ? needed.Left($"the {IoFailure.Size(partial.Length)} downloaded so far are kept in {partial.PartPath}, to resume") : needed)
                .ToException(e);
        }
    }

    private FetchedSource FetchClaimed(string name, LockedSource source, string destinationPath, PartialDownload partial, CancellationToken cancellationToken)
    {
        using var claim = partial.Claim(name);
        FetchedSource fetched;
        if (IsRemote(source.Url, out var uri))
        {
            var download = new HttpDownload(name, uri, partial, log, options);
            download.RunAsync(source.Size, cancellationToken).GetAwaiter().GetResult();
            // Without a redirect the lock's URL is kept as written (Uri would normalise it).
            var finalUrl = download.FinalUrl == uri ? source.Url : download.FinalUrl.AbsoluteUri;
            if (ContentProblem(name, source, partial.PartPath, finalUrl) is { } wrongContent)
            {
                partial.Delete();
                throw new LmevException(wrongContent);
            }
            // The whole file is hashed once more rather than hashed while streaming: a resumed
            // download would otherwise have to re-read the bytes an earlier process wrote.
            var size = partial.Length;
            var sha = Hashing.Sha256OfFile(partial.PartPath);
            if (Mismatch(name, source, sha, size, $"The bytes were deleted; nothing was written to {destinationPath}.") is { } error)
            {
                partial.Delete();
                throw new LmevException(error);
            }
            fetched = Verified(name, source, sha, size, finalUrl);
        }
        else
        {
            fetched = CopyLocal(name, source, LocalPath(source.Url), partial, destinationPath, cancellationToken);
        }
        Publish(partial.PartPath, destinationPath);
        partial.Delete();
        return fetched;
    }

    /// <summary>Whether <paramref name="url"/> is fetched over the network (http or https) rather than read from disk.</summary>
    internal static bool IsRemote(string url, out Uri uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri!) && uri.Scheme is "http" or "https";

    /// <summary>The file or folder a local source names: a file:// URL, or a path relative to the project root.</summary>
    internal string LocalPath(string url) => LocalPath(url, projectRoot);

    /// <inheritdoc cref="LocalPath(string)"/>
    internal static string LocalPath(string url, string projectRoot) =>
        url.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? new Uri(url).LocalPath
            : Path.GetFullPath(url, Path.GetFullPath(projectRoot));

    /// <summary>
    /// Verifies a local file in place, with no copy (its hash is cached by path, size and mtime):
    /// its content looks like the lock's format, and its sha256 and size match the lock.
    /// </summary>
    internal FetchedSource VerifyLocalFile(string name, LockedSource source, string path, string consequence)
    {
        RequireHashWhenFrozen(name, source);
        if (!File.Exists(path))
            throw new LmevException($"{DataLock.FileName}: '{name}' points to {source.Url}, but {path} does not exist; {Offline}");
        if (ContentProblem(name, source, path, finalUrl: null) is { } wrongContent) throw new LmevException(wrongContent);
        var size = new FileInfo(path).Length;
        var sha = hashes.Sha256(path);
        if (Mismatch(name, source, sha, size, consequence) is { } error) throw new LmevException(error);
        return Verified(name, source, sha, size, finalUrl: null);
    }

    /// <summary>
    /// Verifies a local folder in place by its tree hash (<see cref="Hashing.Sha256OfTree"/>), which
    /// is what the lock's sha256 holds for a folder; its size is the total of its files' sizes.
    /// </summary>
    internal FetchedSource VerifyFolder(string name, LockedSource source, string path)
    {
        RequireHashWhenFrozen(name, source);
        if (!Directory.Exists(path))
            throw new LmevException($"{DataLock.FileName}: '{name}' points to {source.Url} (format '{source.Format}'), but {path} is not a folder; " +
                $"expected a folder holding the model's files. {Offline}");
        var sha = Hashing.Sha256OfTree(path);
        if (source.Sha256.Length > 0 && !source.Sha256.Equals(sha, StringComparison.OrdinalIgnoreCase))
            throw new LmevException($"{DataLock.FileName}: '{name}': the folder {path} changed since it was pinned: expected tree sha256 {source.Sha256}, " +
                $"found {sha} (SHA-256 over the sorted lines 'path\\0sha256' of its files). Restore the folder, or if it changed on purpose, " +
                $"empty the sha256 of '{name}' in {DataLock.FileName} to trust it again.");
        var size = new DirectoryInfo(path).EnumerateFiles("*", Hashing.EveryFile).Sum(f => f.Length);
        return Verified(name, source, sha, size, finalUrl: null);
    }

    private void RequireHashWhenFrozen(string name, LockedSource source)
    {
        if (options.Locked && source.Sha256.Length == 0)
            throw new LmevException($"{DataLock.FileName}: '{name}' has no sha256 and the lock is frozen (--locked); " +
                $"run once without --locked to fill it in, then commit {DataLock.FileName}");
    }

    /// <summary>
    /// A local source is verified before it is copied, so a wrong file costs no copy; the copy is
    /// then checked to have the size that was hashed.
    /// </summary>
    private FetchedSource CopyLocal(string name, LockedSource source, string path, PartialDownload partial, string destinationPath, CancellationToken cancellationToken)
    {
        var verified = VerifyLocalFile(name, source, path, $"Nothing was written to {destinationPath}.");
        var size = new FileInfo(path).Length;
        partial.Delete();
        try { CopyLocalBytes(name, path, size, partial, cancellationToken); }
        catch (Exception e) when (IoFailure.Classify(e) is not null)
        {
            // A local copy is not resumed: its bytes would only hold the space that is missing.
            var copied = partial.Length;
            var failure = IoFailure.Classify(e)!.Measured(); // free space when the copy ran out, before its bytes are deleted
            partial.Delete();
            throw failure.WithNeeded(size, $"the size of {path}").Left($"the {IoFailure.Size(copied)} copied so far were deleted").ToException(e);
        }
        if (partial.Length != size)
        {
            partial.Delete();
            throw new LmevException($"{path}: changed while it was copied ({size} bytes when hashed, {partial.Length} copied); run again");
        }
        return verified;
    }

    private static void CopyLocalBytes(string name, string path, long size, PartialDownload partial, CancellationToken cancellationToken)
    {
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
    }

    /// <summary>
    /// Null when the bytes at <paramref name="path"/> look like the lock's format (only gzip formats
    /// are checked); otherwise the error, which says the hash was not filled in.
    /// </summary>
    private static string? ContentProblem(string name, LockedSource source, string path, string? finalUrl)
    {
        if (!GzipContentCheck.Applies(source.Format)) return null;
        // With no hash to check them against, the bytes are decompressed whole before they are trusted: a cut-off gzip would be pinned otherwise.
        if ((GzipContentCheck.Problem(path, source.Format) ?? (source.Sha256.Length == 0 ? GzipContentCheck.WholeProblem(path, source.Format) : null)) is not { } found) return null;
        var expected = GzipContentCheck.Expected(source.Format);
        var unfilled = source.Sha256.Length == 0 ? " and its sha256 was not filled in (nothing is trusted on first use)" : "";
        if (finalUrl is null)
            return $"{DataLock.FileName}: '{name}' points to {path}, which is {found}, not {expected} (format '{source.Format}'); " +
                $"nothing was copied{unfilled}. Point '{name}' at the right file, or fix its format.";
        var where = finalUrl == source.Url ? source.Url : $"{source.Url} (redirected to {finalUrl})";
        var advice = found == "an HTML page"
            ? "Open the URL in a browser: it may lead to a sign-in, error or landing page rather than to the file. "
            : "";
        return $"{DataLock.FileName}: '{name}' from {where}: the server answered {found} instead of {expected} (format '{source.Format}'). " +
            $"The bytes were deleted{unfilled}. {advice}{ModelRoutes.WaysForward(name, source.Url)}";
    }

    /// <summary>What is wrong with the bytes, naming expected and actual values; null when they match the lock.</summary>
    private string? Mismatch(string name, LockedSource source, string sha, long size, string consequence)
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
            $"{consequence} {advice}";
    }

    /// <summary>Trust on first use: an empty hash or size in the lock is filled from the verified bytes (in the result, not in the lock).</summary>
    private FetchedSource Verified(string name, LockedSource source, string sha, long size, string? finalUrl)
    {
        // A frozen lock is never changed; its hash has matched, so a missing size does no harm.
        if (options.Locked || (source.Sha256.Length > 0 && source.Size > 0)) return new FetchedSource(source, finalUrl, Filled: false);
        var filled = source with
        {
            Sha256 = source.Sha256.Length > 0 ? source.Sha256 : sha,
            Size = source.Size > 0 ? source.Size : size,
        };
        // Nothing is said here: the caller writes the lock (or does not, if a later check fails) and says so then, once.
        return new FetchedSource(filled, finalUrl, Filled: source.Sha256.Length == 0);
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
