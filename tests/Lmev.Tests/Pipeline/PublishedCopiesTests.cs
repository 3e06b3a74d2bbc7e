using System.Diagnostics;
using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>
/// saved_models/ and report/ are hard links of read-only cache files (copies where the cache is on another
/// filesystem), and `lmev verify` checks them against the entries they came from.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and hard links as Linux has them
public sealed class PublishedCopiesTests
{
    /// <summary>One quick frozen model, one run.</summary>
    private static TestProject Project()
    {
        var p = new TestProject(demoRows: 3000, sampleRows: 1000, testRows: 150);
        p.AddQuickModels();
        p.Experiment["models"] = new JsonArray(new JsonObject { ["name"] = "r16", ["kind"] = "random", ["dim"] = 16, ["buckets"] = 4096, ["seed"] = 3 });
        p.Experiment["runs"] = 1;
        p.Save();
        return p;
    }

    private static string RunFolder(TestProject p) => Path.Combine(p.Root, "saved_models", "demo", "r16", "run-1");

    private static string ReportFolder(TestProject p) => Path.Combine(p.Root, "report");

    /// <summary>Each published file (record aside) with the cache file it came from.</summary>
    private static List<(string Published, string Cached)> Pairs(TestProject p, string folder)
    {
        var record = PublishedFolder.ReadRecord(folder) ?? throw new Xunit.Sdk.XunitException($"{folder} has no readable record");
        Assert.NotEmpty(record.Files);
        var files = Directory.EnumerateFiles(folder).Select(Path.GetFileName).Where(f => f != PublishedFolder.RecordName).Order().ToList();
        Assert.Equal(record.Files.Keys.Order(), files);
        return record.Files.Select(f => (Path.Combine(folder, f.Key), Path.Combine(p.CacheRoot, f.Value.Stage, f.Value.Key, f.Key))).ToList();
    }

    private static void AssertEveryCacheFileReadOnly(TestProject p)
    {
        var entries = new StageCache(p.CacheRoot).Entries().ToList();
        Assert.Contains(entries, e => e.Stage == "train");
        foreach (var (_, _, dir) in entries)
        foreach (var file in Directory.EnumerateFiles(dir))
            Assert.True(File.GetUnixFileMode(file) == ReadOnlyFiles.Mode, $"{file} has mode {File.GetUnixFileMode(file)}");
    }

    [Fact]
    public void Published_files_are_hard_links_of_read_only_cache_files_and_verify_restores_an_edited_and_a_deleted_one()
    {
        using var p = Project();
        p.RunAll(last: "report");
        AssertEveryCacheFileReadOnly(p);
        Assert.Contains(p.Log, l => l.StartsWith("train: published 1 run to ", StringComparison.Ordinal) && l.EndsWith("files linked, 0 copied", StringComparison.Ordinal));
        var run = Pairs(p, RunFolder(p));
        var report = Pairs(p, ReportFolder(p));
        Assert.Contains(report, r => r.Cached.Contains($"{Path.DirectorySeparatorChar}plot{Path.DirectorySeparatorChar}", StringComparison.Ordinal)); // Plot's SVGs
        foreach (var (published, cached) in run.Concat(report))
        {
            Assert.True(HardLink.SameFile(published, cached), $"{published} is not a hard link of {cached}");
            Assert.Equal(2u, HardLink.Identity(cached)!.Value.Links);
            Assert.True(ReadOnlyFiles.IsReadOnly(published), published);
        }

        // A user's tool that saves by writing a new file and renaming it over the old (the link is broken, the cache kept).
        var (metrics, metricsCached) = run.Single(r => r.Published.EndsWith("metrics.json", StringComparison.Ordinal));
        var original = File.ReadAllBytes(metricsCached);
        var edited = (byte[])original.Clone();
        edited[edited.Length / 2] ^= 0x01;
        File.WriteAllBytes(metrics + ".new", edited);
        File.Move(metrics + ".new", metrics, overwrite: true);
        var readme = Path.Combine(ReportFolder(p), "README.md");
        File.Delete(readme);

        var (code, said) = LmevProcess.Run(p, "verify", "--experiment", "demo");
        Assert.Equal(5, code);
        var trainKey = Path.GetFileName(Path.GetDirectoryName(metricsCached)!);
        var reportKey = PublishedFolder.ReadRecord(ReportFolder(p))!.Files["README.md"].Key;
        Assert.Contains($"damaged published folder {RunFolder(p)}", said);
        Assert.Contains($"metrics.json: sha256 ", said);
        Assert.Contains($"but train/{trainKey}/metrics.json records", said);
        Assert.Contains($"damaged published folder {ReportFolder(p)}", said);
        Assert.Contains($"README.md: missing (must match report/{reportKey}/README.md)", said);
        Assert.DoesNotContain("damaged train/", said); // the cache itself is intact
        Assert.Contains("2 damaged", said);

        var (repaired, saidRepair) = LmevProcess.Run(p, "verify", "--experiment", "demo", "--repair");
        Assert.Equal(0, repaired);
        Assert.Contains("published again from its entries", saidRepair);
        Assert.Equal(original, File.ReadAllBytes(metrics));
        Assert.True(HardLink.SameFile(metrics, metricsCached));
        Assert.Equal(File.ReadAllBytes(Path.Combine(p.CacheRoot, "report", reportKey, "README.md")), File.ReadAllBytes(readme));
        Assert.Equal(0, LmevProcess.Run(p, "verify", "--experiment", "demo").ExitCode);

        // --force replaces entries and published folders made of read-only files.
        var before = p.Log.Count;
        p.Flow(force: true).Run("train");
        p.Flow().Run("aggregate"); // the retrained run's metrics.json differs (its timings): what follows runs again
        p.Flow().Run("plot");
        p.Flow(force: true).Run("report");
        Assert.Contains("train [r16/run-1]", p.Ran(before));
        Assert.Contains("report", p.Ran(before));
        AssertEveryCacheFileReadOnly(p);
        foreach (var (published, cached) in Pairs(p, RunFolder(p)).Concat(Pairs(p, ReportFolder(p))))
            Assert.True(HardLink.SameFile(published, cached), $"{published} is not a hard link of {cached} after --force");
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(RunFolder(p))!), PublishedFolder.IsLeftover);
        Assert.Equal(0, LmevProcess.Run(p, "verify", "--experiment", "demo").ExitCode);
    }

    [Fact]
    public void An_edit_in_place_through_the_link_damages_the_entry_too_and_verify_names_the_command_that_rebuilds_the_folder()
    {
        using var p = Project();
        p.RunAll(last: "train");
        var (metrics, cached) = Pairs(p, RunFolder(p)).Single(r => r.Published.EndsWith("metrics.json", StringComparison.Ordinal));
        var original = File.ReadAllBytes(metrics);
        var edited = (byte[])original.Clone();
        edited[edited.Length / 2] ^= 0x01;
        using (var f = new FileStream(metrics, FileMode.Open, FileAccess.Write)) f.Write(edited); // root ignores the 0444 mode
        Assert.Equal(edited, File.ReadAllBytes(cached)); // one file, two names

        var (code, said) = LmevProcess.Run(p, "verify", "--experiment", "demo", "--repair");
        Assert.Equal(5, code);
        var key = Path.GetFileName(Path.GetDirectoryName(cached)!);
        Assert.Contains($"damaged train/{key}", said);
        Assert.Contains("removed: the next run recomputes it", said);
        Assert.Contains($"damaged published folder {RunFolder(p)}", said);
        Assert.Contains($"left as is: its entry train/{key} is damaged too; run `lmev train --experiment demo --model r16 --run 1`", said);

        var before = p.Log.Count;
        p.Flow(models: ["r16"], runs: [1]).Run("train");
        Assert.Equal(["train [r16/run-1]"], p.Ran(before));
        Assert.True(HardLink.SameFile(metrics, cached));
        Assert.NotEqual(edited, File.ReadAllBytes(metrics));
        Assert.Equal(0, LmevProcess.Run(p, "verify", "--experiment", "demo").ExitCode);
    }

    [SkippableFact]
    public void With_the_cache_on_another_filesystem_published_files_are_read_only_copies_and_verify_checks_their_bytes()
    {
        using var p = Project();
        var (disk, why) = Tmpfs.TryMount(p.CacheRoot, 256 << 20);
        Skip.If(disk is null, $"the cache on another filesystem not tested: {why}");
        using (disk)
        {
            p.RunAll(last: "report");
            AssertEveryCacheFileReadOnly(p);
            Assert.Contains(p.Log, l => l.StartsWith("train: published 1 run to ", StringComparison.Ordinal) && l.Contains(" 0 files linked, ") && l.Contains("(no link: EXDEV"));
            var pairs = Pairs(p, RunFolder(p)).Concat(Pairs(p, ReportFolder(p))).ToList();
            foreach (var (published, cached) in pairs)
            {
                Assert.False(HardLink.SameFile(published, cached), $"{published} should be a copy of {cached}");
                Assert.Equal(1u, HardLink.Identity(published)!.Value.Links);
                Assert.Equal(File.ReadAllBytes(cached), File.ReadAllBytes(published));
                Assert.True(File.GetUnixFileMode(published) == ReadOnlyFiles.Mode, published);
            }
            Assert.Equal(0, LmevProcess.Run(p, "verify", "--experiment", "demo").ExitCode);

            // An edit in place of a copy leaves the cache whole.
            var (predictions, cachedPredictions) = pairs.First(r => r.Published.EndsWith("test-predictions.csv", StringComparison.Ordinal));
            var bytes = File.ReadAllBytes(predictions);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(predictions, bytes);
            var (code, said) = LmevProcess.Run(p, "verify", "--experiment", "demo");
            Assert.Equal(5, code);
            Assert.Contains($"damaged published folder {RunFolder(p)}", said);
            Assert.Contains("test-predictions.csv: sha256 ", said);
            Assert.DoesNotContain("damaged train/", said);
            Assert.Equal(0, LmevProcess.Run(p, "verify", "--experiment", "demo", "--repair").ExitCode);
            Assert.Equal(File.ReadAllBytes(cachedPredictions), File.ReadAllBytes(predictions));
        }
    }

    [SkippableFact]
    public void A_user_who_is_not_root_cannot_write_a_cache_file_yet_force_verify_repair_and_gc_still_replace_and_remove_entries()
    {
        Skip.IfNot(Environment.UserName == "root", "running lmev as another user needs root");
        Skip.IfNot(Os.Run("setpriv", "--version").Code == 0, "setpriv (util-linux) is not installed");
        // The build must be reachable by nobody: not so in a clone under a private folder (mktemp -d makes 0700).
        Skip.IfNot(Os.AsNobody("dotnet", LmevProcess.Dll, "--help").Code == 0, $"user nobody cannot run {LmevProcess.Dll} (a folder above it is private)");
        using var p = Project();
        p.RunAll(last: "train");
        Assert.Equal(0, Os.Run("chown", "-R", "nobody:nogroup", p.Root).Code);
        var split = new StageCache(p.CacheRoot).Entries().Single(e => e.Stage == "split").Directory;
        var train = Path.Combine(split, "train.csv");
        var original = File.ReadAllBytes(train);

        Assert.NotEqual(0, Os.AsNobody("sh", "-c", $"echo x >> '{train}'").Code); // EACCES: the file is r--r--r--
        Assert.Equal(original, File.ReadAllBytes(train));

        var (forced, said) = Os.AsNobody("dotnet", LmevProcess.Dll, "train", "--force", "--root", p.Root);
        Assert.True(forced == 0, said);
        Assert.Contains("train [r16/run-1]: running", said);
        Assert.True(HardLink.SameFile(Path.Combine(RunFolder(p), "model.dat"),
            Path.Combine(new StageCache(p.CacheRoot).Entries().Single(e => e.Stage == "train").Directory, "model.dat")));

        // The owner can make it writable again: what verify is for.
        Assert.Equal(0, Os.AsNobody("sh", "-c", $"chmod u+w '{train}' && echo x >> '{train}'").Code);
        var (repaired, saidRepair) = Os.AsNobody("dotnet", LmevProcess.Dll, "verify", "--repair", "--root", p.Root);
        Assert.True(repaired == 0, saidRepair);
        Assert.False(Directory.Exists(split), saidRepair);

        p.Experiment["sample"]!["rows"] = 900;
        p.Save();
        var (collected, saidGc) = Os.AsNobody("dotnet", LmevProcess.Dll, "gc", "--root", p.Root);
        Assert.True(collected == 0, saidGc);
        Assert.Contains("removed train/", saidGc);
        Assert.DoesNotContain(new StageCache(p.CacheRoot).Entries(), e => e.Stage == "train");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(p.CacheRoot, StageCache.TempFolder)));
    }
}
