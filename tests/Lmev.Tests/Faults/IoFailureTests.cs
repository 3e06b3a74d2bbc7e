using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Faults;

/// <summary>
/// I/O failures other than a full disk, through the real CLI: a read-only cache, permission denied (as an unprivileged
/// user), an input gone from the cache, and an unexpected exception (one line, its trace in a log file).
/// </summary>
[Trait("Category", "Faults")]
public sealed class IoFailureTests(ITestOutputHelper output)
{
    private static TestProject Tiny() => new(demoRows: 3000, sampleRows: 1000, testRows: 200);

    private static string ErrorLine(string text) => Assert.Single(text.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));

    private static bool NoEntry(TestProject p, string step) =>
        !Directory.Exists(Path.Combine(p.CacheRoot, step)) || !Directory.EnumerateFileSystemEntries(Path.Combine(p.CacheRoot, step)).Any();

    private static bool NoTemp(TestProject p, string step) =>
        !Directory.Exists(Path.Combine(p.CacheRoot, StageCache.TempFolder))
        || !Directory.EnumerateFileSystemEntries(Path.Combine(p.CacheRoot, StageCache.TempFolder)).Any(f => Path.GetFileName(f).StartsWith(step + "-", StringComparison.Ordinal));

    [SkippableFact]
    public void A_read_only_cache_stops_the_step_with_exit_6_naming_it_and_the_step_runs_once_the_cache_is_writable()
    {
        using var project = Tiny();
        var (disk, why) = Tmpfs.TryMount(project.CacheRoot, 16 << 20);
        Skip.If(disk is null, $"read-only cache not tested: {why}");
        using var _ = disk;
        project.RunAll(last: "download");
        disk!.Remount(readOnly: true);
        var (code, text) = LmevProcess.Run(project, "filter-spanish");
        disk.Remount(readOnly: false);
        Assert.True(code == 6, $"exit {code}\n{text}");
        var error = ErrorLine(text);
        Assert.StartsWith($"error: filter-spanish: read-only file system: cannot write {project.CacheRoot}/", error);
        Assert.Contains("nothing was published", error);
        Assert.DoesNotContain("   at ", text);
        Assert.True(NoEntry(project, "filter-spanish"));
        var (rerun, rerunText) = LmevProcess.Run(project, "filter-spanish");
        Assert.True(rerun == 0, rerunText);
        output.WriteLine($"faults: read-only cache: exit {code}, one line ('{error[..error.IndexOf(" cannot write", StringComparison.Ordinal)]} ...'), nothing published; writable again: exit {rerun}");
    }

    /// <summary>Runs lmev as user nobody (uid 65534) on <paramref name="project"/>.</summary>
    private static (int Code, string Output) RunAsNobody(TestProject project, params string[] args) =>
        Os.AsNobody(["dotnet", LmevProcess.Dll, .. args, "--root", project.Root]);

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // Skip.IfNot below says so to the reader; this says it to the analyzer
    public void Permission_denied_on_the_cache_or_the_experiment_is_one_line_with_exit_6()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess && OperatingSystem.IsLinux(), "permission denied is tested as root, running lmev as user nobody with setpriv");
        using var project = Tiny();
        const UnixFileMode shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute; // 755: others may read, not write
        File.SetUnixFileMode(project.Root, shared);
        int probe;
        try { (probe, _) = RunAsNobody(project, "--help"); }
        catch (System.ComponentModel.Win32Exception) { probe = -1; }
        Skip.If(probe != 0, "setpriv --reuid=65534 … dotnet lmev.dll cannot run here (no setpriv, or the build is not readable by nobody)");

        project.RunAll(last: "download");
        foreach (var dir in Directory.EnumerateDirectories(project.CacheRoot, "*", SearchOption.AllDirectories).Append(project.CacheRoot))
            File.SetUnixFileMode(dir, shared);
        var (code, text) = RunAsNobody(project, "filter-spanish");
        Assert.True(code == 6, $"exit {code}\n{text}");
        var error = ErrorLine(text);
        Assert.StartsWith($"error: filter-spanish: permission denied on {project.CacheRoot}/", error);
        Assert.Contains("nothing was published", error);
        Assert.DoesNotContain("   at ", text);
        Assert.True(NoEntry(project, "filter-spanish"));

        // Outside any step: the experiment file itself cannot be read.
        var experiment = Lmev.Flow.Experiment.FilePath(project.Root, "demo");
        File.SetUnixFileMode(experiment, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (statusCode, statusText) = RunAsNobody(project, "status");
        Assert.True(statusCode == 6, $"exit {statusCode}\n{statusText}");
        Assert.StartsWith($"error: permission denied on {experiment};", ErrorLine(statusText));
        Assert.DoesNotContain("   at ", statusText);
        output.WriteLine($"faults: permission denied (as uid 65534): step exit {code}, experiment file exit {statusCode}, one line each, nothing published");
    }

    [Fact]
    public async Task A_temporary_folder_deleted_while_the_step_runs_stops_it_with_exit_6_naming_the_path()
    {
        using var project = new TestProject(demoRows: 300_000, sampleRows: 100_000, testRows: 1000);
        project.RunAll(last: "filter-spanish");
        var tmp = Path.Combine(project.CacheRoot, StageCache.TempFolder);
        int tries = 0, code = 0;
        var text = "";
        // Someone clears the step's folder in cache/.tmp/ while it writes (a cleaner, `rm -rf cache/.tmp`). Racing the step: if
        // it published first, it runs again with --force.
        foreach (var delayMs in new[] { 0, 20, 80, 200 })
        {
            tries++;
            using var p = LmevProcess.Start(project, "sample", "--force");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            string? folder = null;
            while (folder is null && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                folder = Directory.Exists(tmp) ? Directory.EnumerateDirectories(tmp, "sample-*").FirstOrDefault() : null;
            Thread.Sleep(delayMs);
            try { if (folder is not null) Directory.Delete(folder, recursive: true); }
            catch (DirectoryNotFoundException) { }
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)));
            (code, text) = (p.ExitCode, await stdout + await stderr);
            if (code != 0) break;
        }
        Assert.True(code == 6, $"exit {code} after {tries} tries\n{text}");
        var error = ErrorLine(text);
        Assert.StartsWith($"error: sample: no such file or directory: {tmp}/sample-", error);
        Assert.Contains("nothing was published, temporary files removed", error);
        Assert.DoesNotContain("   at ", text);
        Assert.True(tries > 1 || NoEntry(project, "sample"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp)); // its lock file too
        var (rerun, rerunText) = LmevProcess.Run(project, "sample");
        Assert.True(rerun == 0, rerunText);
        output.WriteLine($"faults: a step's temporary folder deleted while it ran: exit {code} (try {tries}), one line naming the path, temp removed; rerun exit {rerun}");
    }

    [Fact]
    public void An_unexpected_exception_is_one_line_with_exit_70_and_its_full_trace_in_a_log_file_in_the_cache_or_else_the_temp_folder()
    {
        using var project = Tiny();
        project.RunAll(last: "download");
        // An exception lmev does not expect, thrown where the step starts (FaultPoint's LMEV_FAULT_THROW).
        var inject = new Dictionary<string, string> { [FaultPoint.ThrowVariable] = "filter-spanish:started" };
        var logs = new List<string>();
        foreach (var logsUnwritable in new[] { false, true })
        {
            if (logsUnwritable)
            {
                Directory.Delete(Path.Combine(project.CacheRoot, StageCache.LogsFolder), recursive: true);
                File.WriteAllText(Path.Combine(project.CacheRoot, StageCache.LogsFolder), "a file where the logs folder would be");
            }
            var (code, text) = LmevProcess.Run(project, inject, "filter-spanish");
            Assert.True(code == 70, $"exit {code}\n{text}");
            var error = ErrorLine(text);
            var match = Regex.Match(error, @"^error: unexpected (?<type>[\w.]+): (?<message>.+) — full trace in (?<log>\S+) ");
            Assert.True(match.Success, error);
            Assert.DoesNotContain("   at ", text);
            var log = match.Groups["log"].Value;
            logs.Add(log);
            Assert.Equal(logsUnwritable ? Path.GetTempPath().TrimEnd('/') : Path.Combine(project.CacheRoot, StageCache.LogsFolder), Path.GetDirectoryName(log));
            Assert.Matches($@"lmev-\d{{8}}-\d{{6}}\.\d{{3}}Z-\d+\.log$", log);
            var trace = File.ReadAllText(log);
            Assert.Contains(match.Groups["type"].Value + ": " + match.Groups["message"].Value, trace);
            Assert.Contains("   at Lmev.", trace);
            Assert.Contains("command line: ", trace);
            Assert.Contains("filter-spanish", trace);
            Assert.StartsWith($"lmev {HostInfo.LmevVersion}", trace);
        }
        File.Delete(logs[1]); // the one in the system temp folder
        output.WriteLine($"faults: unexpected exception: exit 70, one line, trace in {string.Join(" then ", logs.Select(l => Path.GetDirectoryName(l) == Path.GetTempPath().TrimEnd('/') ? "the temp folder (cache logs unwritable)" : "<cache>/logs"))}");
    }

    [Fact]
    public void Errno_values_dotnet_reports_are_classified_and_described_in_words()
    {
        var quota = IoFailure.Classify(new IOException("Disk quota exceeded : '/data/cache/x.npy'", IoFailure.Errors.EDQUOT))!;
        Assert.Equal((IoFailureKind.Quota, "/data/cache/x.npy"), (quota.Kind, quota.Path));
        Assert.StartsWith("embed [m]: disk quota exceeded writing /data/cache/x.npy: needs more than 1.5 KiB (written so far), ",
            quota.In("embed [m]", "nothing was published").WithNeeded(1536, "written so far", atLeast: true).Describe());
        var readOnly = IoFailure.Classify(new UnauthorizedAccessException("Access to the path '/ro/f' is denied.", new IOException("Read-only file system", IoFailure.Errors.EROFS)))!;
        Assert.Equal((IoFailureKind.ReadOnly, "/ro/f"), (readOnly.Kind, readOnly.Path));
        var eio = IoFailure.Classify(new IOException("Input/output error : '/d/f'", IoFailure.Errors.EIO))!;
        Assert.Equal(IoFailureKind.Other, eio.Kind);
        Assert.Contains("I/O error on /d/f: Input/output error", eio.Describe());
        // Not I/O failures: a bug, a truncated stream, a lock held by no errno, a user's mistake.
        Assert.Null(IoFailure.Classify(new InvalidOperationException("x")));
        Assert.Null(IoFailure.Classify(new EndOfStreamException()));
        Assert.Null(IoFailure.Classify(new IOException("no errno")));
        Assert.Null(IoFailure.Classify(new LmevException("a user's mistake", new IOException("busy", 11))));
        Assert.NotNull(IoFailure.Classify(new LmevException("archive could not be written", new IOException("No space left on device", IoFailure.Errors.ENOSPC))));
        output.WriteLine("faults: errno classification: EDQUOT, EROFS (inner), EIO mapped; 4 non-I/O exceptions left to the other paths");
    }
}
