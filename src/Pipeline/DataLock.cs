using System.Text.Json;

namespace Lmev.Pipeline;

/// <summary>One pinned external file: where it comes from and what it must hash to.</summary>
/// <param name="Url">http(s)://, file:// or a path relative to the project root.</param>
/// <param name="Sha256">Expected SHA-256; empty means "fill in on first download" (trust on first use).</param>
/// <param name="Size">Expected size in bytes; 0 means unknown.</param>
/// <param name="Format">What the file is, e.g. <c>csv.gz</c>, <c>csv</c>, <c>tar.gz</c>.</param>
/// <param name="Rows">A model's table: the rows it must have (vocabulary and OOV buckets), checked before its hash is trusted.</param>
/// <param name="Dim">A model's table: the width it must have.</param>
public sealed record LockedSource(
    string Url, string Sha256 = "", long Size = 0, string Format = "csv.gz", string? Description = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? Rows = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? Dim = null)
{
    /// <summary>"[rows, dim]" as pinned, "?" for a part not pinned.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string PinnedShape => $"[{(Rows is { } r ? r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "?")}, {(Dim?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?")}]";
}

/// <summary>
/// <c>data.lock.json</c>: every external source by name, pinned by SHA-256 and size. Downloads are
/// verified against it; an empty hash is filled on first download unless the lock is frozen.
/// </summary>
public sealed record DataLock(SortedDictionary<string, LockedSource> Sources)
{
    public const string FileName = "data.lock.json";

    /// <summary>What a source may be: a table the Download step reads, a model archive or folder, a model's files.</summary>
    public static readonly IReadOnlyList<string> Formats = ["csv", "csv.gz", "tar.gz", "dir", "onnx", "txt"];

    public static DataLock Read(string path) => JsonFile.Read<DataLock>(path, validate: l => l.Problems());

    /// <summary>Every value that cannot be right, checked when the lock is read rather than when the source is used.</summary>
    private IEnumerable<(string Key, string Problem)> Problems()
    {
        foreach (var (name, s) in Sources)
        {
            var at = $"sources.{name}";
            if (s.Url.Length == 0) yield return ($"{at}.url", "expected an http(s):// or file:// URL or a path, found an empty string");
            if (!Formats.Contains(s.Format))
                yield return ($"{at}.format", $"expected one of {string.Join(", ", Formats.Select(f => $"'{f}'"))}" +
                    $"{(Suggestions.Closest(s.Format, Formats) is { } close ? $" (did you mean '{close}'?)" : "")}, found '{s.Format}'");
            if (s.Sha256.Length > 0 && (s.Sha256.Length != 64 || !s.Sha256.All(Uri.IsHexDigit)))
                yield return ($"{at}.sha256", $"expected 64 hex digits, or \"\" to fill it on first use, found '{s.Sha256}'");
            if (s.Size < 0) yield return ($"{at}.size", $"expected a size in bytes (0: unknown), found {s.Size}");
            if (s.Rows is <= 0) yield return ($"{at}.rows", $"expected the table's number of rows (a positive integer), or no \"rows\", found {s.Rows}");
            if (s.Dim is <= 0) yield return ($"{at}.dim", $"expected the table's width (a positive integer), or no \"dim\", found {s.Dim}");
        }
    }

    public LockedSource Get(string name, string path) =>
        Sources.TryGetValue(name, out var s) ? s
            : throw new LmevException($"{path}: no source named '{name}'; it has: {string.Join(", ", Sources.Keys)}");

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, CanonicalJson.Indented) + "\n");
}
