using System.Diagnostics;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>The cache under real processes: SIGKILL mid-stage, and two processes racing on one entry.</summary>
public sealed class CrashSafetyTests
{
    /// <summary>Every published entry has its manifest, and exactly the outputs it lists, with matching hashes.</summary>
    private static void AssertEveryEntryIsWhole(string cacheRoot)
    {
        foreach (var (_, key, dir) in new StageCache(cacheRoot).Entries())
        {
            var manifest = Manifest.Read(dir);
            Assert.Equal(key, manifest.Key);
            foreach (var (file, record) in manifest.Outputs)
                Assert.Equal(record.Sha256, Hashing.Sha256OfFile(Path.Combine(dir, file)));
            Assert.Equal(manifest.Outputs.Keys.Append(Manifest.FileName).Order(), Directory.EnumerateFiles(dir).Select(f => Path.GetFileName(f)).Order());
        }
    }

    private static TestProject BigProject() => new(demoRows: 300_000, sampleRows: 100_000, testRows: 1000);

    [Fact]
    public void Sigkill_during_sample_never_leaves_a_half_entry_and_the_rerun_matches_an_uninterrupted_run()
    {
        using var reference = BigProject();
        reference.Flow().Run("download");
        reference.Flow().Run("filter-spanish");
        var expected = reference.Flow().Run("sample")[0].Outputs[Lmev.Stages.Sample.SampleStage.Output].Sha256;

        using var project = BigProject();
        project.Flow().Run("download");
        project.Flow().Run("filter-spanish");
        var tmp = Path.Combine(project.CacheRoot, ".tmp");
        var killedMidStage = 0;
        foreach (var delayMs in new[] { 0, 40, 120, 250 })
        {
            using var p = LmevProcess.Start(project, "sample");
            var clock = Stopwatch.StartNew();
            // Wait until the stage is running (its temporary folder exists), then kill -9 after the delay.
            while (!(Directory.Exists(tmp) && Directory.EnumerateDirectories(tmp, "sample-*").Any()) && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                Thread.Sleep(2);
            Thread.Sleep(delayMs);
            if (!p.HasExited)
            {
                p.Kill(); // SIGKILL on Linux
                killedMidStage++;
            }
            p.WaitForExit();
            AssertEveryEntryIsWhole(project.CacheRoot);
            if (Directory.Exists(Path.Combine(project.CacheRoot, "sample"))) break; // it finished before the kill
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Path.Combine(project.CacheRoot, "refs", "demo")), f => f.Contains("sample"));
        }
        Assert.True(killedMidStage > 0, "no kill landed while the stage was running");

        var (code, output) = LmevProcess.Run(project, "sample");
        Assert.True(code == 0, output);
        AssertEveryEntryIsWhole(project.CacheRoot);
        var rerun = project.Flow().Run("sample")[0].Outputs[Lmev.Stages.Sample.SampleStage.Output].Sha256;
        Assert.Equal(expected, rerun);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp)); // the killed runs' folders and locks were cleaned
    }

    [Fact]
    public async Task Two_processes_running_the_same_stage_at_once_both_exit_0_and_leave_one_valid_entry()
    {
        using var project = BigProject();
        project.Flow().Run("download");
        project.Flow().Run("filter-spanish");
        using var a = LmevProcess.Start(project, "sample");
        using var b = LmevProcess.Start(project, "sample");
        var outputs = new[] { a, b }.Select(p => (p, Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToArray();
        foreach (var (p, o, e) in outputs)
        {
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)));
            Assert.True(p.ExitCode == 0, await o + await e);
        }
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(project.CacheRoot, "sample")));
        AssertEveryEntryIsWhole(project.CacheRoot);
    }
}
