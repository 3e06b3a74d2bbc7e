using System.Diagnostics;

namespace Lmev.Tests.Support;

/// <summary>Starts the real `lmev` program (built beside the tests) as a separate process.</summary>
public static class LmevProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "lmev.dll");

    /// <summary>Starts `lmev ARGS --root PROJECT` (no --root when <paramref name="project"/> is null: commands that take none).</summary>
    public static Process Start(TestProject? project, params string[] args) => Start(project, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Start(TestProject?, string[])"/>, with <paramref name="environment"/> added to the child's environment.</summary>
    public static Process Start(TestProject? project, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        if (project is not null)
        {
            info.ArgumentList.Add("--root");
            info.ArgumentList.Add(project.Root);
        }
        // The developer's own cache and remote never leak into a test: a test names what it uses.
        foreach (var own in new[] { "LMEV_CACHE", "LMEV_REMOTE", "LMEV_REMOTE_PUSH" }) info.Environment.Remove(own);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        return Process.Start(info)!;
    }

    public static (int ExitCode, string Output) Run(TestProject? project, params string[] args) => Run(project, new Dictionary<string, string>(), args);

    /// <summary>Runs `lmev ARGS` with <paramref name="input"/> on its standard input; returns its exit code, standard output and standard error apart.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWithInput(TestProject? project, string input, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        if (project is not null)
        {
            info.ArgumentList.Add("--root");
            info.ArgumentList.Add(project.Root);
        }
        info.Environment.Remove("LMEV_CACHE");
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"lmev {string.Join(' ', args)} did not finish"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs `lmev ARGS` with <paramref name="environment"/> added to its environment; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(TestProject? project, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = Start(project, environment, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"lmev {string.Join(' ', args)} did not finish"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
