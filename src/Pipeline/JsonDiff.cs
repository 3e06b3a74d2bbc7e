using System.Text.Json.Nodes;

namespace Lmev.Pipeline;

/// <summary>What changed between two JSON values, leaf by leaf, as `lmev status` explains a stale step ("params.rows changed: 20000 → 30000").</summary>
public static class JsonDiff
{
    public static IEnumerable<string> Changes(JsonNode? was, JsonNode? now, string path)
    {
        if (was is JsonObject a && now is JsonObject b)
        {
            foreach (var k in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
            foreach (var change in Changes(a[k], b[k], $"{path}.{k}"))
                yield return change;
            yield break;
        }
        if (!JsonNode.DeepEquals(was, now))
            yield return $"{path} changed: {was?.ToJsonString() ?? "(absent)"} → {now?.ToJsonString() ?? "(absent)"}";
    }
}
