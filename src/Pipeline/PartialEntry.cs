using System.Text.Json;

namespace Lmev.Pipeline;

/// <summary>
/// <c>.partial.json</c> in a cache entry imported without some of its outputs on purpose (weights no
/// downstream step reads, or every file of an upstream entry that is needed only for its manifest):
/// the outputs it lacks. The manifest is left as written, so its key and every hash still check;
/// a stage that would read an absent file stops naming it (<see cref="StageCache"/>), and copies to
/// saved_models/ leave it out. The dot keeps the name clear of every output's (outputs never start with one).
/// </summary>
public static class PartialEntry
{
    public const string FileName = ".partial.json";

    private sealed record Content(IReadOnlyList<string> Absent);

    public static IReadOnlySet<string> Read(string entryDirectory)
    {
        var path = Path.Combine(entryDirectory, FileName);
        if (!File.Exists(path)) return new HashSet<string>();
        var content = JsonFile.Read<Content>(path, expected: "the outputs a partially imported entry lacks");
        return new HashSet<string>(content.Absent, StringComparer.Ordinal);
    }

    public static void Write(string entryDirectory, IEnumerable<string> absent)
    {
        var names = absent.Order(StringComparer.Ordinal).ToList();
        if (names.Count > 0)
            File.WriteAllText(Path.Combine(entryDirectory, FileName), JsonSerializer.Serialize(new Content(names), CanonicalJson.Indented) + "\n");
    }
}
