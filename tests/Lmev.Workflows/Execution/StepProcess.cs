using System.Diagnostics;

namespace Lmev.Workflows.Execution;

/// <summary>Runs one command of a step, its output shown as it comes (indented under the step) and kept in the job's log.</summary>
public static class StepProcess
{
    private static readonly object Console_ = new();

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="folder"/> with exactly <paramref name="environment"/>; its exit code (124 on timeout).</summary>
    public static int Run(string file, IEnumerable<string> args, string folder, IReadOnlyDictionary<string, string> environment,
        TextWriter log, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Clear();
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = new Process { StartInfo = info };
        void Line(string? line)
        {
            if (line is null) return;
            lock (Console_)
            {
                Console.WriteLine($"    │ {line}");
                log.WriteLine(line);
            }
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Line($"(harness) killed after {timeout.TotalMinutes:F0} minutes (timeout-minutes)");
            return 124;
        }
        process.WaitForExit(); // drains the redirected streams
        return process.ExitCode;
    }

    /// <summary>Runs a helper command (git, dotnet) of the harness itself; its output, or an error naming it.</summary>
    public static string Quiet(string file, string folder, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new WorkflowException($"{file} {string.Join(' ', args)} (in {folder}) failed with exit code {p.ExitCode}: {errors.Result.Trim()}");
        return output.Result;
    }
}
