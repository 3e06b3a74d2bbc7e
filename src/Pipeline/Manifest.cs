using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lmev.Pipeline;

public sealed record FileRecord(string Sha256, long Size);

public sealed record InputRecord(string Stage, string Key, string File, string Sha256, long Size);

public sealed record HostRecord(string Machine, string Os, string Cpu, int Cores, string Runtime);

/// <summary>
/// <c>manifest.json</c> of one cache entry: what went in (parameters, input hashes), what came out
/// (file hashes and sizes), the stage's own report (row counts, bad rows…), and where and when it ran.
/// </summary>
public sealed record Manifest(
    string Stage,
    int Version,
    string Key,
    string Unit,
    string Experiment,
    JsonNode? Params,
    SortedDictionary<string, InputRecord> Inputs,
    SortedDictionary<string, FileRecord> Outputs,
    JsonObject Report,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    HostRecord Host,
    SortedDictionary<string, string> Versions,
    string Device)
{
    public const string FileName = "manifest.json";

    /// <summary>How a damaged entry is put right, for messages.</summary>
    internal const string Repair = "run `lmev verify --repair` (it removes damaged entries) and run again";

    /// <summary>
    /// The SHA-256 of the manifest file's own bytes with this value left empty, written last by <see cref="ToJson"/>:
    /// a byte changed anywhere in the file (a timing, the stage's report, a hash) no longer matches it. Null in a
    /// manifest written before seals existed, which is read unchecked.
    /// </summary>
    public string? Seal { get; init; }

    private const string SealProperty = "\"seal\": \"";

    /// <summary>Reading refuses a property the record does not have: a flipped byte in a name (even "seal"'s) is not skipped as unknown.</summary>
    private static readonly JsonSerializerOptions Strict = new(CanonicalJson.Options)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The folder the manifest was read from; set by <see cref="Read"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Directory { get; init; } = "";

    /// <summary>Outputs this copy of the entry lacks on purpose (a partial import, <see cref="PartialEntry"/>); empty for an entry a stage wrote.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlySet<string> Absent { get; init; } = new HashSet<string>();

    /// <summary>The outputs whose files are in the entry's folder.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> PresentOutputs => Outputs.Keys.Where(f => !Absent.Contains(f));

    /// <summary>An output as an artifact (its hash and path), present or not: keys need only its hash; a stage that reads it needs the file.</summary>
    public Artifact Output(string file)
    {
        if (!Outputs.TryGetValue(file, out var rec))
            throw new LmevException($"{System.IO.Path.Combine(Directory, FileName)}: stage '{Stage}' has no output '{file}'; it has: {string.Join(", ", Outputs.Keys)}");
        return new Artifact(Stage, Key, file, rec.Sha256, rec.Size, System.IO.Path.Combine(Directory, file));
    }

    public static Manifest Read(string directory)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is ArgumentException) { throw new LmevException($"{path}: not a valid manifest ({e.Message}): the entry is damaged; {Repair}", e); }
        return Parse(text, path, Repair) with { Directory = directory, Absent = PartialEntry.Read(directory) };
    }

    /// <summary>
    /// A manifest from its bytes, read from <paramref name="where"/> (a path or a URL, for messages), checked as <see cref="Read"/> checks
    /// one (strict, sealed); <paramref name="repair"/> says what to do about a damaged one. Its <see cref="Directory"/> is empty.
    /// </summary>
    public static Manifest Parse(string text, string where, string repair)
    {
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(text, Strict) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new LmevException($"{where}: not a valid manifest ({e.Message}): the entry is damaged; {repair}", e);
        }
        if (manifest.Seal is { } seal && SealOf(text, seal) is var found && found != seal)
            throw new LmevException($"{where}: {(found == "" ? "its seal cannot be found in its bytes" : $"its bytes hash to seal {found[..12]}…")}, but it records seal {Short(seal)}: the manifest was changed after " +
                $"it was written and the entry is damaged; {repair}");
        return manifest;
    }

    /// <summary>The manifest's JSON, sealed (<see cref="Seal"/>): the hash of these very bytes with the seal left empty.</summary>
    public string ToJson()
    {
        var open = JsonSerializer.Serialize(this with { Seal = "" }, CanonicalJson.Indented);
        var at = open.LastIndexOf(SealProperty + "\"", StringComparison.Ordinal) + SealProperty.Length;
        return open.Insert(at, Hashing.Sha256Hex(open));
    }

    /// <summary>The hash of <paramref name="text"/> with its (last) seal, <paramref name="seal"/>, left empty; "" when it holds no such seal.</summary>
    private static string SealOf(string text, string seal)
    {
        var at = text.LastIndexOf(SealProperty + seal + "\"", StringComparison.Ordinal);
        return at < 0 ? "" : Hashing.Sha256Hex(text.Remove(at + SealProperty.Length, seal.Length));
    }

    private static string Short(string seal) => seal.Length > 12 ? seal[..12] + "…" : $"'{seal}'";
}
