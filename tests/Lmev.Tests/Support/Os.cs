using System.Diagnostics;

namespace Lmev.Tests.Support;

/// <summary>Other programs a test runs: system commands (mount, chown), and commands as an unprivileged user.</summary>
public static class Os
{
    /// <summary>Runs <paramref name="file"/>; its exit code and output, or -1 when it is not installed.</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var errors = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, output.Result + errors.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, $"{file}: {e.Message}"); }
    }

    /// <summary>
    /// Runs <paramref name="command"/> as user nobody (uid 65534) with setpriv: root ignores file modes, so permission
    /// denied needs another user. HOME and DOTNET_CLI_HOME point at the temp folder (nobody's home is not writable).
    /// </summary>
    public static (int Code, string Output) AsNobody(params string[] command)
    {
        var info = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", .. command]) info.ArgumentList.Add(a);
        info.Environment.Remove("LMEV_CACHE");
        info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        info.Environment["HOME"] = Path.GetTempPath();
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(true); throw new TimeoutException($"{string.Join(' ', command)} as nobody did not finish"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
