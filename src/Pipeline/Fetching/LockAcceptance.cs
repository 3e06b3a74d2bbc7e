namespace Lmev.Pipeline.Fetching;

/// <summary>
/// `lmev lock accept SOURCE`: a source on disk that changed on purpose gets its new SHA-256 and size written into
/// data.lock.json, so the next run takes its bytes (and the steps after it recompute). A source fetched over the
/// network is accepted by emptying its sha256 instead: the next download fills it, trusting what arrives.
/// </summary>
public static class LockAcceptance
{
    /// <returns>The entry as it was and as it is now.</returns>
    public static (LockedSource Was, LockedSource Now) Accept(string projectRoot, string name)
    {
        var lockPath = Path.Combine(projectRoot, DataLock.FileName);
        var lockFile = DataLock.Read(lockPath);
        var was = lockFile.Get(name, lockPath);
        if (SourceFetcher.IsRemote(was.Url, out _))
            throw new LmevException($"{lockPath}: '{name}' is fetched from {was.Url}; to accept new bytes from there, empty its sha256 and size " +
                "(the next download fills them, trusting what arrives), or point its url at a copy on disk");
        var path = SourceFetcher.LocalPath(was.Url, projectRoot);
        var (sha, size) = Directory.Exists(path)
            ? (Hashing.Sha256OfTree(path), new DirectoryInfo(path).EnumerateFiles("*", Hashing.EveryFile).Sum(f => f.Length))
            : File.Exists(path) ? (Hashing.Sha256OfFile(path), new FileInfo(path).Length)
            : throw new LmevException($"{lockPath}: '{name}' points to {was.Url}, but {path} does not exist; nothing to accept");
        var now = was with { Sha256 = sha, Size = size };
        lockFile.Sources[name] = now;
        lockFile.Write(lockPath);
        return (was, now);
    }
}
