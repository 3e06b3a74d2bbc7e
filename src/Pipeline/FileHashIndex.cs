using System.Text.Json;

namespace Lmev.Pipeline;

/// <summary>
/// Remembers the SHA-256 of big files by (full path, size, modification time), as git's index does,
/// so that a multi-gigabyte source is hashed once rather than on every run. Without <paramref name="save"/> (a read-only
/// command) it is read but a new hash is not written.
/// </summary>
public sealed class FileHashIndex(string indexPath, bool save = true)
{
    private sealed record Entry(long Size, long MtimeTicks, string Sha256);

    public string Sha256(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new LmevException($"{path}: file not found");
        var full = info.FullName;
        var index = Load();
        var mtime = info.LastWriteTimeUtc.Ticks;
        if (index.TryGetValue(full, out var e) && e.Size == info.Length && e.MtimeTicks == mtime) return e.Sha256;
        var hash = Hashing.Sha256OfFile(full);
        if (!save) return hash;
        index = Load(); // another process may have added entries meanwhile
        index[full] = new Entry(info.Length, mtime, hash);
        // The index only saves a re-hash: a full or read-only disk, or a folder this user may not write, must not stop a run.
        try { AtomicFile.WriteAllText(indexPath, JsonSerializer.Serialize(index, CanonicalJson.Indented)); }
        catch (Exception failure) when (IoFailure.Classify(failure) is not null) { }
        return hash;
    }

    private Dictionary<string, Entry> Load()
    {
        try
        {
            return File.Exists(indexPath)
                ? JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(indexPath), CanonicalJson.Options) ?? new()
                : new();
        }
        catch (JsonException)
        {
            return new(); // a damaged index only costs a re-hash
        }
    }
}
