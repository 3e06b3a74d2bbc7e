using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lmev.Pipeline;

/// <summary>One thing wrong in a JSON file: where (line and JSON path) and what, in the file's own terms.</summary>
public sealed record JsonProblem(long Line, string Path, string Message)
{
    /// <summary>
    /// A required key the document lacks (the problem is its absence, or a mistyped key meant for it): its JSON path and .NET
    /// type, so that binding can stand a placeholder in for it and the values' own rules can still be checked on the rest.
    /// </summary>
    public (string Path, Type Type)? Missing { get; init; }

    public override string ToString() => Path.Length == 0 ? $"line {Line}: {Message}" : $"line {Line}: {Path}: {Message}";
}

/// <summary>
/// Checks a JSON document against the record it binds to before System.Text.Json sees it, and says every
/// problem at once in the file's terms: an unknown key with the keys allowed there and the closest one, a value
/// of the wrong type with what was expected and what was found, each with its line. (System.Text.Json stops at the
/// first problem and names .NET types: "could not be converted to …ModelSpec".)
/// </summary>
public static class JsonShape
{
    private static readonly JsonNamingPolicy Naming = JsonNamingPolicy.CamelCase;

    /// <param name="lines">Filled with the line of every value's JSON path, so that later checks can say where.</param>
    /// <param name="options">The options the document will be bound with: their number handling (named floats such as
    /// "NaN", numbers in strings) is allowed here too.</param>
    public static IReadOnlyList<JsonProblem> Check(Type type, ReadOnlySpan<byte> utf8, Dictionary<string, long>? lines = null, JsonSerializerOptions? options = null)
    {
        var problems = new List<JsonProblem>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var index = new LineIndex(utf8, lines ?? [], options?.NumberHandling ?? JsonNumberHandling.Strict);
        try
        {
            if (reader.Read()) Value(ref reader, type, "", problems, index);
        }
        catch (JsonException e)
        {
            // Not JSON at all (a missing comma, an unclosed brace): the parser's own position is all there is.
            problems.Add(new JsonProblem((e.LineNumber ?? 0) + 1, "", e.Message.Split(" Path:")[0]));
        }
        return problems;
    }

    private static void Value(ref Utf8JsonReader reader, Type type, string path, List<JsonProblem> problems, LineIndex lines)
    {
        var line = lines.Of(reader.TokenStartIndex);
        lines.Paths[path] = line;
        void Wrong(ref Utf8JsonReader r, string expected)
        {
            problems.Add(new JsonProblem(line, path, $"expected {expected}, found {Found(ref r)}"));
            r.Skip();
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (reader.TokenType == JsonTokenType.Null)
        {
            if (underlying is null && type.IsValueType) problems.Add(new JsonProblem(line, path, $"expected {Expected(type)}, found null"));
            return;
        }
        type = underlying ?? type;
        if (type == typeof(object) || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(type) || type.GetCustomAttribute<JsonConverterAttribute>() is not null)
        {
            reader.Skip(); // free-form, or a type with its own converter, which says its own errors
            return;
        }
        if (type == typeof(string)) { if (reader.TokenType != JsonTokenType.String) Wrong(ref reader, "a string"); return; }
        if (type == typeof(bool)) { if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False)) Wrong(ref reader, "true or false"); return; }
        if (type.IsEnum)
        {
            // As the enum converter reads it (kebab-case names): a name it does not know would stop the binding, so it is said here.
            var name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (name is null || !Enum.GetNames(type).Any(n => JsonNamingPolicy.KebabCaseLower.ConvertName(n) == name))
                Wrong(ref reader, Expected(type));
            return;
        }
        if (IsInteger(type))
        {
            if (lines.Numbers.HasFlag(JsonNumberHandling.AllowReadingFromString) && reader.TokenType == JsonTokenType.String) return;
            var ok = reader.TokenType == JsonTokenType.Number &&
                     (type == typeof(ulong) ? reader.TryGetUInt64(out _) : reader.TryGetInt64(out var v) && InRange(type, v));
            if (!ok) Wrong(ref reader, Expected(type));
            return;
        }
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            var named = lines.Numbers.HasFlag(JsonNumberHandling.AllowNamedFloatingPointLiterals) && reader.TokenType == JsonTokenType.String &&
                reader.GetString() is "NaN" or "Infinity" or "-Infinity";
            var quoted = lines.Numbers.HasFlag(JsonNumberHandling.AllowReadingFromString) && reader.TokenType == JsonTokenType.String;
            if (reader.TokenType != JsonTokenType.Number && !named && !quoted) Wrong(ref reader, "a number");
            return;
        }
        if (DictionaryValueType(type) is { } valueType)
        {
            if (reader.TokenType != JsonTokenType.StartObject) { Wrong(ref reader, "an object"); return; }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                Value(ref reader, valueType, Join(path, key), problems, lines);
            }
            return;
        }
        if (ElementType(type) is { } elementType)
        {
            if (reader.TokenType != JsonTokenType.StartArray) { Wrong(ref reader, "a list [ … ]"); return; }
            var i = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                Value(ref reader, elementType, $"{path}[{i++}]", problems, lines);
            return;
        }
        if (reader.TokenType != JsonTokenType.StartObject) { Wrong(ref reader, "an object { … }"); return; }
        var members = Members(type);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<(string Key, long Line, string? Closest)>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            seen.Add(key);
            var keyLine = lines.Of(reader.TokenStartIndex);
            reader.Read();
            if (members.TryGetValue(key, out var memberType))
            {
                Value(ref reader, memberType, Join(path, key), problems, lines);
                continue;
            }
            unknown.Add((key, keyLine, Suggestions.Closest(key, members.Keys)));
            reader.Skip();
        }
        var missing = Required(type).Where(r => !seen.Contains(r)).ToList();
        var allowed = $"keys allowed {(path.Length == 0 ? "at the top" : $"in {path}")}: {string.Join(", ", members.Keys)}";
        foreach (var (key, keyLine, closest) in unknown)
        {
            // A mistyped required key ('row' for 'rows') is one mistake, said once.
            var meant = closest is not null && missing.Remove(closest);
            problems.Add(new JsonProblem(keyLine, Join(path, key),
                $"unknown key{(closest is null ? "" : $" (did you mean '{closest}'?{(meant ? " that key is required and missing" : "")})")}; {allowed}")
            {
                Missing = meant ? (Join(path, closest!), members[closest!]) : null,
            });
        }
        foreach (var required in missing)
            problems.Add(new JsonProblem(line, Join(path, required), "missing; this key is required") { Missing = (Join(path, required), members[required]) });
    }

    /// <summary>A value of <paramref name="type"/> that binds: what stands in for a missing required key while the rest is checked.</summary>
    public static System.Text.Json.Nodes.JsonNode Placeholder(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsInteger(type) || type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return System.Text.Json.Nodes.JsonValue.Create(0);
        if (type == typeof(bool)) return System.Text.Json.Nodes.JsonValue.Create(false);
        if (type == typeof(string)) return System.Text.Json.Nodes.JsonValue.Create("");
        if (DictionaryValueType(type) is null && ElementType(type) is not null) return new System.Text.Json.Nodes.JsonArray();
        return new System.Text.Json.Nodes.JsonObject();
    }

    /// <summary>Constructor parameters without a default: System.Text.Json requires them (RespectRequiredConstructorParameters).</summary>
    private static IEnumerable<string> Required(Type type) =>
        (type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()?.GetParameters() ?? [])
            .Where(p => !p.HasDefaultValue && p.GetCustomAttribute<JsonIgnoreAttribute>() is null && type.GetProperty(p.Name!)?.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => JsonName(type, p.Name!));

    /// <summary>The JSON names a record binds, in declaration order: constructor parameters, then settable properties.</summary>
    private static Dictionary<string, Type> Members(Type type)
    {
        var result = new Dictionary<string, Type>(StringComparer.Ordinal);
        var ignored = type.GetProperties().Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always })
            .Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        foreach (var p in constructor?.GetParameters() ?? [])
            if (!ignored.Contains(p.Name!)) result[JsonName(type, p.Name!)] = p.ParameterType;
        foreach (var p in type.GetProperties().Where(p => p.SetMethod is { IsPublic: true } && !ignored.Contains(p.Name)))
            result.TryAdd(JsonName(type, p.Name), p.PropertyType);
        return result;
    }

    /// <summary>A member's name in JSON: its [JsonPropertyName], else camelCase.</summary>
    private static string JsonName(Type type, string member) =>
        type.GetProperty(member)?.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? Naming.ConvertName(member);

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType ? type.GetGenericArguments()[0] : null;

    private static bool IsInteger(Type t) => t == typeof(int) || t == typeof(long) || t == typeof(ulong) || t == typeof(short) || t == typeof(uint);

    private static bool InRange(Type t, long v) => t == typeof(int) ? v is >= int.MinValue and <= int.MaxValue
        : t == typeof(short) ? v is >= short.MinValue and <= short.MaxValue
        : t != typeof(uint) || v is >= 0 and <= uint.MaxValue;

    private static string Expected(Type t) =>
        t.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(t).Select(n => $"\"{JsonNamingPolicy.KebabCaseLower.ConvertName(n)}\""))}"
        : t == typeof(ulong) || t == typeof(uint) ? "a whole number, not negative"
        : IsInteger(t) ? "a whole number"
        : t == typeof(bool) ? "true or false"
        : t == typeof(string) ? "a string"
        : "a value";

    private static string Found(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => $"the string \"{r.GetString()}\"",
        JsonTokenType.Number => $"the number {Encoding.UTF8.GetString(r.ValueSpan)}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        _ => r.TokenType.ToString().ToLowerInvariant(),
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>Byte offset → 1-based line number, and the line of each JSON path seen.</summary>
    private sealed class LineIndex
    {
        private readonly List<long> _starts = [0];

        public Dictionary<string, long> Paths { get; }

        public JsonNumberHandling Numbers { get; }

        public LineIndex(ReadOnlySpan<byte> utf8, Dictionary<string, long> paths, JsonNumberHandling numbers)
        {
            Paths = paths;
            Numbers = numbers;
            for (var i = 0; i < utf8.Length; i++)
                if (utf8[i] == '\n') _starts.Add(i + 1);
        }

        public long Of(long offset)
        {
            var index = _starts.BinarySearch(offset);
            return (index >= 0 ? index : ~index - 1) + 1;
        }
    }
}
