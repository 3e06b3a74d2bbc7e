using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Lmev.Pipeline;

/// <summary>Reads a JSON file into a validated record; errors name the file, line and JSON path.</summary>
public static class JsonFile
{
    public static readonly JsonSerializerOptions Strict = new(CanonicalJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <param name="options">How to bind (default: <see cref="Strict"/>).</param>
    /// <param name="expected">What the file should have been, for the file-not-found message.</param>
    /// <param name="validate">The values' own rules, as (JSON path, what was expected and found); checked even when
    /// the shape has problems, on what could be bound, so that one run of the tool names every mistake.</param>
    public static T Read<T>(string path, JsonSerializerOptions? options = null, string? expected = null,
        Func<T, IEnumerable<(string Key, string Problem)>>? validate = null)
    {
        if (!File.Exists(path)) throw new LmevException($"{path}: file not found{(expected is null ? "" : $"; expected {expected}")}");
        var bytes = File.ReadAllBytes(path);
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        var problems = JsonShape.Check(typeof(T), bytes, lines, options ?? Strict).ToList();
        T? value = default;
        try
        {
            value = problems.Count == 0 ? JsonSerializer.Deserialize<T>(bytes, options ?? Strict) : BindWithout<T>(bytes, problems, options ?? Strict);
            if (value is null && problems.Count == 0) problems.Add(new JsonProblem(1, "", "expected a JSON object, found null"));
        }
        catch (JsonException e) when (problems.Count > 0) { _ = e; } // the shape check has said what is wrong, better
        catch (JsonException e)
        {
            problems.Add(new JsonProblem((e.LineNumber ?? 0) + 1, e.Path?.TrimStart('$', '.') ?? "", e.Message.Split(" Path:")[0]));
        }
        // A placeholder stood in for each missing required key: its own rules are not the user's mistake.
        var placeholders = problems.Where(p => p.Missing is not null).Select(p => p.Missing!.Value.Path).ToHashSet(StringComparer.Ordinal);
        if (value is not null && validate is not null)
            foreach (var (key, problem) in validate(value))
                if (!placeholders.Contains(key) && !problems.Any(p => key == p.Path || key.StartsWith(p.Path + ".", StringComparison.Ordinal)))
                    problems.Add(new JsonProblem(lines.GetValueOrDefault(key, lines.GetValueOrDefault(key.Split('.')[0], 1)), key, problem));
        return problems.Count switch
        {
            0 => value!,
            1 => throw new LmevException($"{path}:{problems[0].Line}: {(problems[0].Path.Length == 0 ? "" : problems[0].Path + ": ")}{problems[0].Message}"),
            _ => throw new LmevException($"{path}: {problems.Count} problems:{string.Concat(problems.OrderBy(p => p.Line).Select(p => $"\n  {p}"))}"),
        };
    }

    /// <summary>
    /// Binds what is left once the values the shape check refused are taken out (their defaults stand in) and a placeholder is put
    /// where a required key is missing, so that the values' own rules are still checked on everything else.
    /// </summary>
    private static T? BindWithout<T>(byte[] bytes, IReadOnlyList<JsonProblem> problems, JsonSerializerOptions options)
    {
        var root = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        foreach (var (path, type) in problems.Where(p => p.Missing is not null).Select(p => p.Missing!.Value))
        {
            var cut = path.LastIndexOf('.');
            if ((cut < 0 ? root : At(root, path[..cut])) is JsonObject parent) parent[path[(cut + 1)..]] = JsonShape.Placeholder(type);
        }
        foreach (var problem in problems.Where(p => p.Missing is null || p.Path != p.Missing.Value.Path))
        {
            var cut = problem.Path.LastIndexOfAny(['.', '[']);
            var parent = cut < 0 ? root : At(root, problem.Path[..cut]);
            if (parent is JsonObject obj && cut >= 0 && problem.Path[cut] == '.') obj.Remove(problem.Path[(cut + 1)..]);
            else if (parent is JsonObject top && cut < 0) top.Remove(problem.Path);
            else return default; // an element of a list: no default can stand in
        }
        return root.Deserialize<T>(options);
    }

    private static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in System.Text.RegularExpressions.Regex.Matches(path, @"[^.\[\]]+|\[\d+\]").Select(m => m.Value))
            node = part.StartsWith('[') ? (node as JsonArray)?[int.Parse(part[1..^1])] : (node as JsonObject)?[part];
        return node;
    }
}
