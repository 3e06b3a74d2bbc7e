using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Lmev.Workflows.Expressions;

/// <summary>The expression functions workflows use, as docs.github.com defines them; an unknown one is an error naming it.</summary>
internal static class Functions
{
    public static JsonNode? Call(string name, IReadOnlyList<JsonNode?> args, EvaluationContext context)
    {
        string Arg(int i) => Expression.AsString(args[i]);
        void Count(int min, int max)
        {
            if (args.Count < min || args.Count > max)
                throw new WorkflowException($"{name}() takes {(min == max ? $"{min}" : $"{min} to {max}")} arguments, found {args.Count}");
        }
        switch (name.ToLowerInvariant())
        {
            case "contains":
                Count(2, 2);
                return JsonValue.Create(args[0] is JsonArray array
                    ? array.Any(item => string.Equals(Expression.AsString(item), Arg(1), StringComparison.OrdinalIgnoreCase))
                    : Arg(0).Contains(Arg(1), StringComparison.OrdinalIgnoreCase));
            case "startswith": Count(2, 2); return JsonValue.Create(Arg(0).StartsWith(Arg(1), StringComparison.OrdinalIgnoreCase));
            case "endswith": Count(2, 2); return JsonValue.Create(Arg(0).EndsWith(Arg(1), StringComparison.OrdinalIgnoreCase));
            case "format":
                if (args.Count < 1) throw new WorkflowException("format() needs a format string");
                // {N} is an argument, {{ and }} are braces.
                var format = Arg(0).Replace("{{", "\u0001").Replace("}}", "\u0002");
                for (var i = 1; i < args.Count; i++) format = format.Replace($"{{{i - 1}}}", Arg(i));
                return JsonValue.Create(format.Replace('\u0001', '{').Replace('\u0002', '}'));
            case "join":
                Count(1, 2);
                var separator = args.Count > 1 ? Arg(1) : ",";
                return JsonValue.Create(args[0] is JsonArray items ? string.Join(separator, items.Select(Expression.AsString)) : Arg(0));
            case "tojson": Count(1, 1); return JsonValue.Create(Expression.ToJson(args[0]));
            case "fromjson":
                Count(1, 1);
                try { return JsonNode.Parse(Arg(0)); }
                catch (System.Text.Json.JsonException e) { throw new WorkflowException($"fromJSON('{Arg(0)}'): not JSON ({e.Message})"); }
            case "hashfiles": return JsonValue.Create(HashFiles(args.Select(Expression.AsString).ToList(), context.Workspace));
            case "success": Count(0, 0); return JsonValue.Create(!context.JobFailed);
            case "failure": Count(0, 0); return JsonValue.Create(context.JobFailed);
            case "always": Count(0, 0); return JsonValue.Create(true);
            case "cancelled": Count(0, 0); return JsonValue.Create(false);
            default: throw new WorkflowException($"the expression function '{name}' is not one this harness models");
        }
    }

    /// <summary>
    /// hashFiles(patterns): the SHA-256 of each matching file's SHA-256 in path order, as the runner computes it; empty when nothing
    /// matches. Patterns are globs relative to the workspace; a leading '!' excludes.
    /// </summary>
    private static string HashFiles(IReadOnlyList<string> patterns, string workspace)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        foreach (var p in patterns)
            if (p.StartsWith('!')) matcher.AddExclude(p[1..]); else matcher.AddInclude(p);
        var files = matcher.GetResultsInFullPath(workspace).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) return "";
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            all.AppendData(SHA256.HashData(stream));
        }
        return Convert.ToHexStringLower(all.GetHashAndReset());
    }
}
