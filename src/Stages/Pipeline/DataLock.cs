using System.Text.Json;

namespace Lmev.Pipeline;

/// <summary>One pinned external file: where it comes from and what it must hash to.</summary>
/// <param name="Url">http(s)://, file:// or a path relative to the project root.</param>
/// <param name="Sha256">Expected SHA-256; empty means "fill in on first download" (trust on first use).</param>
/// <param name="Size">Expected size in bytes; 0 means unknown.</param>
/// <param name="Format">What the file is, e.g. <c>csv.gz</c>, <c>csv</c>, <c>tar.gz</c>.</param>
public sealed record LockedSource(string Url, string Sha256 = "", long Size = 0, string Format = "csv.gz", string? Description = null);

/// <summary>
/// <c>data.lock.json</c>: every external source by name, pinned by SHA-256 and size. Downloads are
/// verified against it; an empty hash is filled on first download unless the lock is frozen.
/// </summary>
public sealed record DataLock(SortedDictionary<string, LockedSource> Sources)
{
    public const string FileName = "data.lock.json";

    public static DataLock Read(string path) => JsonFile.Read<DataLock>(path);

    public LockedSource Get(string name, string path) =>
        Sources.TryGetValue(name, out var s) ? s
            : throw new LmevException($"{path}: no source named '{name}'; it has: {string.Join(", ", Sources.Keys)}");

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, CanonicalJson.Indented) + "\n");
}
