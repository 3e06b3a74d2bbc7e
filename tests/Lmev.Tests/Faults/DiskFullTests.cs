using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Lmev.Tests.Faults;

/// <summary>
/// A full disk at each of the ten writing steps, through the real CLI: the project (its cache, saved_models/ and report/)
/// lives on a small tmpfs that is filled before the step runs, leaving less room than the step's entry needs.
/// </summary>
[Trait("Category", "Faults")]
public sealed class DiskFullTests(ITestOutputHelper output)
{
    /// <summary>A tiny experiment reading a pinned local CSV (so Download goes through the fetcher and .downloads/), one quick model, one run.</summary>
    internal static void Configure(TestProject p, string csv)
    {
        Directory.CreateDirectory(Path.Combine(p.Root, "experiments"));
        p.PinDataset(csv, "csv");
        var size = new FileInfo(csv).Length;
        File.WriteAllText(Path.Combine(p.Root, DataLock.FileName), new JsonObject
        {
            ["sources"] = new JsonObject { ["mine"] = new JsonObject { ["url"] = csv, ["format"] = "csv", ["sha256"] = Hashing.Sha256OfFile(csv), ["size"] = size } },
        }.ToJsonString());
        p.Experiment["sample"] = new JsonObject { ["rows"] = 1000, ["seed"] = 3 };
        p.Experiment["split"] = new JsonObject { ["testRows"] = 200, ["validationFraction"] = 0.1, ["seed"] = 3 };
        p.Experiment["train"] = new JsonObject { ["epochs"] = 1, ["batchSize"] = 128, ["hidden"] = 16, ["threads"] = 1, ["seed"] = 9 };
        p.Experiment["models"] = new JsonArray(new JsonObject { ["name"] = "r16", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3 });
        p.Experiment["runs"] = 1;
        p.Save();
    }

    internal static string DemoCsv(TempDir dir)
    {
        var csv = Path.Combine(dir.Path, "titles.csv");
        using var file = File.Create(csv);
        Lmev.Stages.Download.DemoTitles.Write(new Lmev.Stages.Download.DemoDataParams(Rows: 3000, Categories: 20, Seed: 7), file);
        return csv;
    }

    /// <summary>Each unit's entry of <paramref name="step"/> in a cache: its key, its outputs' hashes, and its size on disk.</summary>
    private static Dictionary<string, (string Key, IReadOnlyDictionary<string, string> Outputs, long Bytes)> Entries(string cacheRoot, string step)
    {
        var folder = Path.Combine(cacheRoot, step);
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateDirectories(folder).Select(Manifest.Read).ToDictionary(m => m.Unit,
            m => (m.Key, (IReadOnlyDictionary<string, string>)m.Outputs.ToDictionary(o => o.Key, o => o.Value.Sha256),
                m.Outputs.Values.Sum(o => o.Size) + new FileInfo(Path.Combine(m.Directory!, Manifest.FileName)).Length));
    }

    private static void MustExit0(TestProject p, string step)
    {
        var (code, text) = LmevProcess.Run(p, step);
        Assert.True(code == 0, $"lmev {step}: exit {code}\n{text}");
    }

    [SkippableFact]
    public void A_full_disk_at_each_writing_step_exits_6_publishes_nothing_removes_its_temp_and_the_rerun_matches_a_run_without_fault()
    {
        var clock = Stopwatch.StartNew();
        using var data = new TempDir();
        var csv = DemoCsv(data);
        using var project = new TestProject();
        var (disk, why) = Tmpfs.TryMount(project.Root, 24 << 20);
        Skip.If(disk is null, $"disk-full faults not run: {why}");
        using var _ = disk;
        Configure(project, csv); // again, on the tmpfs now mounted over the project folder

        // Two runs without fault: what they agree on is what a rerun must reproduce (a run's wall time is in metrics.json and what follows).
        using var a = new TestProject();
        using var b = new TestProject();
        Configure(a, csv);
        Configure(b, csv);
        int compared = 0, timed = 0, survived = 0;
        var failures = new List<string>();
        foreach (var step in ExperimentFlow.StepNames)
        {
            using (var pa = LmevProcess.Start(a, step))
            using (var pb = LmevProcess.Start(b, step))
            {
                var outs = new[] { pa, pb }.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToArray();
                foreach (var (p, i) in new[] { pa, pb }.Select((p, i) => (p, i)))
                    Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)) && p.ExitCode == 0, $"reference lmev {step}: {outs[i].Out.Result}{outs[i].Err.Result}");
            }
            var refA = Entries(a.CacheRoot, step);
            var refB = Entries(b.CacheRoot, step);

            try
            {
                // Leave less than half what the step's smallest entry takes (to the 4 KiB page): it cannot fit.
                var leave = refA.Values.Min(e => e.Bytes) / 2 / 4096 * 4096;
                var filler = disk!.Fill(leave);
                var free = disk.Free;
                List<string> Published() => Directory.EnumerateFileSystemEntries(project.Root).Where(f => f != project.CacheRoot).Order().ToList();
                var before = Published();

                var (code, text) = LmevProcess.Run(project, step);
                Assert.True(code == 6, $"lmev {step} on a full disk ({free} bytes free): exit {code}, expected 6\n{text}");
                var error = Assert.Single(text.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
                Assert.Matches(new Regex($"^error: {Regex.Escape(step)}( \\[[^]]+\\])?: no space left on device writing {Regex.Escape(disk.Path)}/"), error);
                Assert.Matches(@"needs (more than )?[0-9.]+ (bytes|KiB|MiB) \([^)]+\), [0-9.]+ (bytes|KiB|MiB) free on " + Regex.Escape(disk.Path) + ";", error);
                Assert.Contains("nothing was published, temporary files removed", error);
                Assert.DoesNotContain("   at ", text); // no stack trace

                Assert.Empty(Entries(project.CacheRoot, step));
                var tmp = Path.Combine(project.CacheRoot, StageCache.TempFolder);
                if (Directory.Exists(tmp))
                    Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(tmp), f => Path.GetFileName(f).StartsWith(step + "-", StringComparison.Ordinal));
                Assert.Equal(before, Published()); // no saved_models/ or report/ appeared
                var damaged = new StageCache(project.CacheRoot).Entries().Select(e => CacheVerification.Verify(Manifest.Read(e.Directory))).OfType<DamagedEntry>().ToList();
                Assert.True(damaged.Count == 0, $"damaged after the failed {step}: {string.Join(", ", damaged.Select(d => $"{d.Stage}/{d.Key}"))}");

                File.Delete(filler);
                MustExit0(project, step);
                var rerun = Entries(project.CacheRoot, step);
                Assert.Equal(refA.Keys.Order(), rerun.Keys.Order());
                foreach (var (unit, (keyA, outputsA, _)) in refA)
                {
                    var (keyB, outputsB, _) = refB[unit];
                    if (keyA == keyB) Assert.Equal(keyA, rerun[unit].Key);
                    Assert.Equal(outputsA.Keys.Order(), rerun[unit].Outputs.Keys.Order());
                    // Other inputs (a run's wall times reach Aggregate, Plot and Report through their keys): no byte can be expected equal.
                    var sameInputs = rerun[unit].Key == keyA;
                    foreach (var (file, sha) in outputsA)
                    {
                        if (!sameInputs || outputsB[file] != sha) { timed++; continue; } // differs between two runs without fault too (it records a wall time)
                        Assert.True(sha == rerun[unit].Outputs[file], $"{step} [{unit}] {file}: the rerun after the full disk differs from a run without fault");
                        compared++;
                    }
                }
                survived++;
            }
            catch (XunitException e)
            {
                failures.Add($"{step}: {e.Message}");
                // Bring the step up so the next ones can run.
                foreach (var f in Directory.EnumerateFiles(disk!.Path, "filler.bin")) File.Delete(f);
                if (Entries(project.CacheRoot, step).Count == 0) MustExit0(project, step);
            }
        }
        output.WriteLine($"faults: disk full at {survived} of {ExperimentFlow.StepNames.Count} writing stages survived (exit 6, nothing published, temp removed, " +
            $"rerun identical: {compared} output files equal to a run without fault; {timed} not compared: they differ between two runs without fault too, or their inputs do, as they record wall times) in {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
