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
        try
        {
            var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), CanonicalJson.Options)
                ?? throw new LmevException($"{path}: empty manifest");
            return manifest with { Directory = directory, Absent = PartialEntry.Read(directory) };
        }
        catch (JsonException e)
        {
            throw new LmevException($"{path}: not a valid manifest ({e.Message}); delete the folder and rerun the stage", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, CanonicalJson.Indented);
}
