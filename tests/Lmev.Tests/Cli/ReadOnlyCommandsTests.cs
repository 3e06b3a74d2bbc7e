using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Cli;

/// <summary>
/// `lmev status`, `verify` (without --repair), `gc --dry-run`, `models` and `check` only look: on a project whose lock has an empty
/// hash (which the Download hook used to fill during `status`) and whose cache is mounted read-only, they change no file's bytes
/// or modification time anywhere in the project (lock, refs, hash index, .git) and start no git process.
/// </summary>
public sealed class ReadOnlyCommandsTests(ITestOutputHelper output)
{
    [Fact]
    public void Read_only_commands_write_nothing_and_start_no_git()
    {
        using var data = new TempDir();
        var csv = Path.Combine(data.Path, "titles.csv");
        using (var file = File.Create(csv))
            Lmev.Stages.Download.DemoTitles.Write(new Lmev.Stages.Download.DemoDataParams(Rows: 3000, Categories: 40, Seed: 5), file, _ => { });
        using var p = new TestProject(sampleRows: 1200, testRows: 150);
        p.PinDataset(csv, "csv");
        p.AddQuickModels();
        p.Experiment["runs"] = 2;
        p.Save();
        Git(p.Root, "init", "-q");
        Git(p.Root, "add", "-A");
        Git(p.Root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "project");
        p.RunAll(last: "report");
        // The lock as before its first download: trust on first use would fill this hash.
        var lockPath = Path.Combine(p.Root, DataLock.FileName);
        var lockJson = JsonNode.Parse(File.ReadAllText(lockPath))!;
        lockJson["sources"]!["mine"]!["sha256"] = "";
        File.WriteAllText(lockPath, lockJson.ToJsonString());

        // A `git` first on PATH that records being started.
        using var bin = new TempDir();
        var started = Path.Combine(data.Path, "git-was-started");
        var fakeGit = Path.Combine(bin.Path, "git");
        File.WriteAllText(fakeGit, $"#!/bin/sh\necho \"$@\" >> '{started}'\nexit 1\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fakeGit, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var environment = new Dictionary<string, string> { ["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" };

        var before = Snapshot(p.Root);
        using var readOnly = ReadOnlyBind.TryMount(p.CacheRoot, out var why);
        output.WriteLine(readOnly is not null ? $"cache mounted read-only at {p.CacheRoot}" : $"cache not mounted read-only ({why}); bytes and times are still compared");
        Thread.Sleep(20); // a write now would carry a later modification time
        (string[] Args, int[] Codes)[] commands =
        [
            // 3: the report shows the lock's hashes, so with one emptied it is stale (the next run fills the hash, then rewrites it).
            (["status", "--experiment", "demo"], [3]),
            // With a remote its manifests are read (this one holds none): nothing is written here either.
            (["status", "--experiment", "demo", "--remote", data.Path], [3]),
            (["verify", "--experiment", "demo"], [0]),
            (["gc", "--dry-run"], [0]),
            (["models", "--experiment", "demo"], [0]),
            (["check", "--experiment", "demo", "--model", "r16", "--run", "2"], [0]),
        ];
        foreach (var (args, codes) in commands)
        {
            var (code, said) = LmevProcess.Run(p, environment, args);
            output.WriteLine($"$ lmev {string.Join(' ', args)}  → exit {code}\n{said.TrimEnd()}\n");
            Assert.True(codes.Contains(code), $"lmev {string.Join(' ', args)} exited {code}:\n{said}");
            if (args[0] == "status") Assert.Contains("data.lock.json: 'mine' has no sha256 yet; the next step that runs fills it", said);
        }
        readOnly?.Dispose();

        var after = Snapshot(p.Root);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, was) in before)
            Assert.True(was == after[path], $"{path} changed: {was} → {after[path]}");
        Assert.False(File.Exists(started), $"a git process was started: {(File.Exists(started) ? File.ReadAllText(started) : "")}");
        Assert.Equal("", DataLock.Read(lockPath).Sources["mine"].Sha256);
        output.WriteLine($"{before.Count} files and folders under the project: bytes and modification times unchanged; no git process");
    }

    /// <summary>Every file and folder under <paramref name="root"/>: its SHA-256 (files) and modification time.</summary>
    private static Dictionary<string, string> Snapshot(string root)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            all[Path.GetRelativePath(root, dir) + "/"] = Directory.GetLastWriteTimeUtc(dir).Ticks.ToString();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            using var stream = File.OpenRead(file);
            all[Path.GetRelativePath(root, file)] = $"{Convert.ToHexString(SHA256.HashData(stream))} {File.GetLastWriteTimeUtc(file).Ticks}";
        }
        return all;
    }

    private static void Git(string dir, params string[] args)
    {
        var (code, said) = Os.Run("git", ["-C", dir, .. args]);
        Assert.True(code == 0, $"git {string.Join(' ', args)}: {said}");
    }

    /// <summary>A folder bind-mounted read-only onto itself for the length of a test (root only); even root cannot write it.</summary>
    private sealed class ReadOnlyBind : IDisposable
    {
        private readonly string _path;

        private ReadOnlyBind(string path) => _path = path;

        public static ReadOnlyBind? TryMount(string path, out string? why)
        {
            why = null;
            if (!Environment.IsPrivilegedProcess) { why = "not root"; return null; }
            var (bind, said) = Os.Run("mount", "--bind", path, path);
            if (bind != 0) { why = $"mount --bind: {said.Trim()}"; return null; }
            var (ro, said2) = Os.Run("mount", "-o", "remount,bind,ro", path);
            if (ro == 0) return new ReadOnlyBind(path);
            Os.Run("umount", path);
            why = $"remount read-only: {said2.Trim()}";
            return null;
        }

        public void Dispose()
        {
            if (Os.Run("umount", _path).Code != 0) Os.Run("umount", "-l", _path);
        }
    }
}
