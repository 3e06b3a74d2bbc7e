using System.Text.Json.Nodes;

namespace Lmev.Pipeline.Csv;

/// <summary>
/// Counts skipped rows by reason and keeps the first line numbers of each, for the log and the
/// manifest. In strict mode the first bad row stops the stage with file:line and the reason.
/// </summary>
public sealed class BadRows(string path, bool strict, int keepLines = 10)
{
    private readonly SortedDictionary<string, (long Count, List<long> Lines)> _byReason = new(StringComparer.Ordinal);

    public long Total { get; private set; }

    public void Add(string reason, long line)
    {
        if (strict) throw new LmevException($"{path}:{line}: bad row: {reason} (--strict stops at the first bad row; without it such rows are skipped and counted)");
        Total++;
        if (!_byReason.TryGetValue(reason, out var e)) e = (0, new List<long>());
        if (e.Lines.Count < keepLines) e.Lines.Add(line);
        _byReason[reason] = (e.Count + 1, e.Lines);
    }

    public long Count(string reason) => _byReason.TryGetValue(reason, out var e) ? e.Count : 0;

    public IReadOnlyList<long> FirstLines(string reason) => _byReason.TryGetValue(reason, out var e) ? e.Lines : [];

    public JsonObject ToJson() => new(_byReason.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject
    {
        ["count"] = kv.Value.Count,
        ["firstLines"] = new JsonArray(kv.Value.Lines.Select(l => (JsonNode?)l).ToArray()),
    })));

    public IEnumerable<string> Summary() => _byReason.Select(kv =>
        $"skipped {kv.Value.Count:N0} {(kv.Value.Count == 1 ? "row" : "rows")} with {kv.Key} " +
        $"({(kv.Value.Count == 1 ? "at line" : kv.Value.Lines.Count == 1 ? "first at line" : "first at lines")} {string.Join(", ", kv.Value.Lines)})");
}
