using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Lmev.Pipeline;

/// <summary>
/// One JSON form per value: camelCase names, object keys sorted ordinally, no whitespace.
/// Cache keys hash this form, so two machines with the same parameters get the same key.
/// </summary>
public static class CanonicalJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    public static JsonNode? ToNode<T>(T value) => Sort(JsonSerializer.SerializeToNode(value, Options));

    public static string Serialize<T>(T value) => ToNode(value)?.ToJsonString(Options) ?? "null";

    /// <summary>Returns a deep copy of <paramref name="node"/> with every object's keys in ordinal order.</summary>
    public static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray arr => new JsonArray(arr.Select(Sort).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
