using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

public sealed class StageCacheTests
{
    /// <summary>A stage that writes its parameter to a file and counts how often it ran.</summary>
    private sealed class CountingStage(string value, int version = 1, Artifact? input = null, Action? during = null) : IStage
    {
        public int Runs;
        public string Name => "counting";
        public int Version => version;
        public object Params => new { value };
        public IReadOnlyDictionary<string, Artifact> Inputs { get; } =
            input is null ? new Dictionary<string, Artifact>() : new Dictionary<string, Artifact> { ["in"] = input };

        public void Run(StageContext context)
        {
            Interlocked.Increment(ref Runs);
            File.WriteAllText(context.OutputPath("out.txt"), value);
            during?.Invoke();
            context.Report["length"] = value.Length;
        }
    }

    private static Artifact FakeInput(string sha) => new("up", "k", "f", sha, 1, "/nonexistent");

    [Fact]
    public void A_second_run_with_the_same_parameters_is_a_hit_and_does_no_work()
    {
        using var dir = new TempDir();
        var cache = new StageCache(dir.Path);
        var log = new List<string>();
        var stage = new CountingStage("a");
        var first = cache.Run(stage, "exp", force: false, log.Add);
        var second = cache.Run(stage, "exp", force: false, log.Add);
        Assert.Equal(1, stage.Runs);
        Assert.Equal(first.Key, second.Key);
        Assert.Contains(log, l => l == $"counting: cached ({first.Key})");
        Assert.Equal("a", File.ReadAllText(Path.Combine(first.Directory, "out.txt")));
        Assert.Equal(Hashing.Sha256Hex("a"), second.Outputs["out.txt"].Sha256);
        Assert.Equal(1, (int)second.Report["length"]!);
    }

    [Fact]
    public void The_key_changes_with_parameters_version_and_input_hashes_only()
    {
        var baseKey = StageCache.Key(new CountingStage("a", 1, FakeInput("x")));
        Assert.Equal(baseKey, StageCache.Key(new CountingStage("a", 1, FakeInput("x"))));
        Assert.NotEqual(baseKey, StageCache.Key(new CountingStage("b", 1, FakeInput("x"))));
        Assert.NotEqual(baseKey, StageCache.Key(new CountingStage("a", 2, FakeInput("x"))));
        Assert.NotEqual(baseKey, StageCache.Key(new CountingStage("a", 1, FakeInput("y"))));
        // The input's location is not part of the key: only its content hash is.
        Assert.Equal(baseKey, StageCache.Key(new CountingStage("a", 1, FakeInput("x") with { Path = "/elsewhere", Key = "other" })));
    }

    [Fact]
    public void Force_reruns_and_replaces_the_entry()
    {
        using var dir = new TempDir();
        var cache = new StageCache(dir.Path);
        var stage = new CountingStage("a");
        cache.Run(stage, "exp", false, _ => { });
        var again = cache.Run(stage, "exp", true, _ => { });
        Assert.Equal(2, stage.Runs);
        Assert.True(File.Exists(Path.Combine(again.Directory, "out.txt")));
        Assert.Single(cache.Entries());
    }

    [Fact]
    public void A_failing_stage_publishes_nothing_and_leaves_no_temporary_folder()
    {
        using var dir = new TempDir();
        var cache = new StageCache(dir.Path);
        var stage = new CountingStage("a", during: () => throw new InvalidOperationException("boom"));
        Assert.Throws<InvalidOperationException>(() => cache.Run(stage, "exp", false, _ => { }));
        Assert.Empty(cache.Entries());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, ".tmp")));
    }

    [Fact]
    public void The_entry_appears_only_when_the_stage_has_finished()
    {
        using var dir = new TempDir();
        var cache = new StageCache(dir.Path);
        var entrySeenDuringRun = true;
        CountingStage? stage = null;
        stage = new CountingStage("a", during: () => entrySeenDuringRun = Directory.Exists(cache.EntryDirectory("counting", StageCache.Key(stage!))));
        cache.Run(stage, "exp", false, _ => { });
        Assert.False(entrySeenDuringRun);
    }

    [Fact]
    public void Two_concurrent_runs_of_the_same_stage_both_succeed_and_leave_one_entry()
    {
        using var dir = new TempDir();
        var barrier = new Barrier(2);
        var stage = new CountingStage("a", during: () => barrier.SignalAndWait(TimeSpan.FromSeconds(10)));
        var results = new Manifest[2];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            results[i] = new StageCache(dir.Path).Run(stage, "exp", false, _ => { }));
        Assert.Equal(2, stage.Runs);
        Assert.Equal(results[0].Key, results[1].Key);
        Assert.Single(new StageCache(dir.Path).Entries());
    }

    [Fact]
    public void Temporary_folders_of_dead_processes_are_cleaned_but_live_ones_are_kept()
    {
        using var dir = new TempDir();
        var cache = new StageCache(dir.Path);
        // A dead process's folder: its lock file exists but nobody holds it.
        var dead = Directory.CreateDirectory(Path.Combine(dir.Path, ".tmp", "sample-dead")).FullName;
        File.WriteAllText(dead + OwnedFolder.LockSuffix, "");
        File.WriteAllText(Path.Combine(dead, "half.csv"), "partial");
        using (var live = OwnedFolder.Create(Path.Combine(dir.Path, ".tmp"), "sample-live"))
        {
            Assert.Equal(1, cache.CleanTemp());
            Assert.False(Directory.Exists(dead));
            Assert.False(File.Exists(dead + OwnedFolder.LockSuffix));
            Assert.True(Directory.Exists(live.Path));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, ".tmp")));
    }

    [Fact]
    public void Gc_removes_only_unreachable_entries()
    {
        using var dir = new TempDir();
        var cache = new StageCache(dir.Path);
        var keep = cache.Run(new CountingStage("a"), "exp", false, _ => { });
        var drop = cache.Run(new CountingStage("b"), "exp", false, _ => { });
        var removed = cache.Gc(new HashSet<(string, string)> { ("counting", keep.Key) }, dryRun: false).Removed;
        Assert.Equal([("counting", drop.Key)], removed.Select(r => (r.Stage, r.Key)));
        Assert.True(Directory.Exists(keep.Directory));
        Assert.False(Directory.Exists(drop.Directory));
    }
}
