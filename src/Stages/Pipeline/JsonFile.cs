using System.Text.Json;
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
    public static T Read<T>(string path, JsonSerializerOptions? options = null, string? expected = null)
    {
        if (!File.Exists(path)) throw new LmevException($"{path}: file not found{(expected is null ? "" : $"; expected {expected}")}");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), options ?? Strict)
                ?? throw new LmevException($"{path}: expected a JSON object, found null");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"{path}:{line + 1}" : path;
            throw new LmevException($"{where}: {e.Path}: {e.Message.Split(" Path:")[0]}", e);
        }
    }
}
