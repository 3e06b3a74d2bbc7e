using System.Runtime.InteropServices;
using Lmev.Pipeline;

namespace Lmev.Cli;

/// <summary>
/// Where an unexpected exception's full trace goes: <c>&lt;cache&gt;/logs/lmev-&lt;UTC time&gt;-&lt;pid&gt;.log</c>, or the system temp
/// folder when the cache cannot be written (a full or read-only disk), so that the screen shows one line and the trace is kept.
/// </summary>
public static class CrashLog
{
    /// <summary>Writes the trace of <paramref name="error"/> and returns the file written, or null with why none could be.</summary>
    public static (string? Path, string? Why) Write(Exception error, string? cacheRoot)
    {
        var name = $"lmev-{DateTime.UtcNow:yyyyMMdd-HHmmss.fff}Z-{Environment.ProcessId}.log";
        var text = $"""
            lmev {HostInfo.LmevVersion}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}
            time (UTC): {DateTime.UtcNow:O}
            command line: {string.Join(' ', Environment.GetCommandLineArgs().Select(Quote))}
            working folder: {Environment.CurrentDirectory}

            {error}

            """;
        var folders = new List<string>();
        if (cacheRoot is not null) folders.Add(System.IO.Path.Combine(cacheRoot, StageCache.LogsFolder));
        folders.Add(System.IO.Path.GetTempPath());
        string? why = null;
        foreach (var folder in folders)
        {
            try
            {
                Directory.CreateDirectory(folder);
                var path = System.IO.Path.Combine(folder, name);
                File.WriteAllText(path, text);
                return (path, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { why = $"{folder}: {e.Message}"; }
        }
        return (null, why);
    }

    private static string Quote(string arg) => arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? arg : $"'{arg.Replace("'", "'\\''")}'";
}
