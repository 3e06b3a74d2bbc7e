using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Cli;

/// <summary>`lmev gc`: counts what it keeps truly, removes the leftovers nothing reaches, and goes on past a broken experiment.</summary>
public sealed class GcTests
{
    private static int EntryCount(TestProject project) => new StageCache(project.CacheRoot).Entries().Count();

    [Fact]
    public void Dry_run_counts_the_entries_it_keeps_not_the_keys_it_computed()
    {
        using var project = new TestProject();
        project.RunAll();
        project.Experiment["sample"]!["rows"] = 1200;
        project.Save();
        project.RunAll();
        var entries = EntryCount(project); // download, filter-spanish, two samples, two splits

        var (code, output) = LmevProcess.Run(project, "gc", "--dry-run");

        Assert.Equal(0, code);
        Assert.Equal(6, entries);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("would remove sample/", StringComparison.Ordinal) || l.StartsWith("would remove split/", StringComparison.Ordinal)));
        Assert.Contains("2 entries would be removed", output);
        Assert.Contains("kept 4 entries reachable from demo", output);
        Assert.Equal(entries, EntryCount(project)); // a dry run removes nothing
    }

    [Fact]
    public void Refs_of_a_deleted_experiment_and_lock_files_of_finished_downloads_are_removed_a_held_lock_is_not()
    {
        using var project = new TestProject();
        project.RunAll();
        project.Save("gone");
        project.RunAll("gone");
        File.Delete(Lmev.Flow.Experiment.FilePath(project.Root, "gone"));
        var refs = Path.Combine(project.CacheRoot, StageCache.RefsFolder);
        var downloads = Path.Combine(project.CacheRoot, StageCache.DownloadsFolder);
        Directory.CreateDirectory(downloads);
        var finished = Path.Combine(downloads, "mine.part.lock");
        var inProgress = Path.Combine(downloads, "other.part.lock");
        File.WriteAllText(finished, "");
        File.WriteAllText(inProgress, "");
        Assert.True(Directory.Exists(Path.Combine(refs, "gone")));

        string output;
        using (new FileStream(inProgress, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) // another process downloading
            (_, output) = LmevProcess.Run(project, "gc");

        Assert.Contains($"removed {Path.Combine(StageCache.RefsFolder, "gone")} (refs of an experiment whose file is gone)", output);
        Assert.Contains($"removed {Path.Combine(StageCache.DownloadsFolder, "mine.part.lock")} (the lock file of a finished download)", output);
        Assert.False(Directory.Exists(Path.Combine(refs, "gone")));
        Assert.True(Directory.Exists(Path.Combine(refs, "demo")));
        Assert.False(File.Exists(finished));
        Assert.True(File.Exists(inProgress));
        Assert.Contains("0 entries removed", output); // both experiments used the same entries, and demo still reaches them
    }

    [Fact]
    public void A_broken_experiment_file_is_named_its_last_used_entries_are_kept_and_gc_goes_on()
    {
        using var project = new TestProject();
        project.RunAll();
        project.Save("other");
        project.Experiment["sample"]!["rows"] = 1200;
        project.Save("other");
        project.RunAll("other"); // other's own sample and split
        project.Experiment["sample"]!["rows"] = 1100;
        project.Save("third");
        project.RunAll("third");
        File.Delete(Lmev.Flow.Experiment.FilePath(project.Root, "third")); // its sample and split: reachable from nothing
        File.WriteAllText(Lmev.Flow.Experiment.FilePath(project.Root, "other"), "{ \"sample\": ");

        var (code, output) = LmevProcess.Run(project, "gc");

        Assert.Equal(1, code);
        Assert.Contains("other.json", output);
        Assert.Contains("kept the 4 entries experiment 'other' last used", output);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("removed sample/", StringComparison.Ordinal) || l.StartsWith("removed split/", StringComparison.Ordinal)));
        Assert.Contains("kept 6 entries", output);
        Assert.Equal(6, EntryCount(project));
    }
}
