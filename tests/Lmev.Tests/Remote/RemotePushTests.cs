using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Pipeline.Remote;
using Lmev.Tests.Support;

namespace Lmev.Tests.Remote;

/// <summary>
/// Pushing: `push: true` sends every unit a run makes (without what `omit` names), the manifest after the files, so that an
/// interrupted push leaves nothing a reader takes; a key the remote holds is left as is; `lmev cache pull` counts what it brought. Over a folder remote.
/// </summary>
public sealed class RemotePushTests
{
    private static readonly FetchOptions Quick = new(MaxAttempts: 2, InitialBackoff: TimeSpan.FromMilliseconds(10), Timeout: TimeSpan.FromSeconds(5));

    private static ExperimentFlow Flow(TestProject p, IRemoteStore store, bool push) =>
        new(Experiment.Load(p.Root, "demo"), new FlowOptions(p.Root, p.CacheRoot, p.Log.Add,
            Remote: new RemoteUse(new RemoteTier(store, p.Log.Add, Quick), push, new HashSet<string> { "sample.csv" })));

    /// <summary>A folder remote that records the order of its writes.</summary>
    private sealed class RecordingStore(string root) : IRemoteStore
    {
        private readonly FolderStore _folder = new(root, root);

        public List<string> Puts { get; } = [];

        public string Url => _folder.Url;

        public bool Writable => true;

        public Task<RemoteObject?> OpenAsync(string key, long offset, CancellationToken cancellationToken) => _folder.OpenAsync(key, offset, cancellationToken);

        public Task PutAsync(string key, string file, CancellationToken cancellationToken)
        {
            Puts.Add(key);
            return _folder.PutAsync(key, file, cancellationToken);
        }

        public void Dispose() { }
    }

    [Fact]
    public void Push_true_sends_each_unit_a_run_makes_manifest_last_and_a_second_push_is_a_no_op()
    {
        using var folder = new TempDir();
        var store = new RecordingStore(folder.Path);
        using var p = new TestProject();
        var flow = Flow(p, store, push: true);
        foreach (var step in new[] { "download", "filter-spanish", "sample" }) flow.Run(step);
        var sample = p.Flow().Run("sample")[0];
        Assert.Contains(p.Log, l => l.StartsWith($"sample: pushed to {folder.Path} (2 objects, ", StringComparison.Ordinal) && l.EndsWith(", without sample.csv)", StringComparison.Ordinal));
        var remoteEntry = Path.Combine(folder.Path, "sample", sample.Key);
        Assert.Equal([PartialEntry.FileName, Manifest.FileName], Directory.EnumerateFiles(remoteEntry).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        // Every unit the run made was pushed, each entry's manifest after every other object of it.
        var entries = store.Puts.GroupBy(k => k[..k.LastIndexOf('/')]).ToList();
        Assert.Equal(["download", "filter-spanish", "sample"], entries.Select(e => e.Key.Split('/')[0]).ToArray());
        Assert.All(entries, e => Assert.Equal($"{e.Key}/{Manifest.FileName}", store.Puts.Last(k => k.StartsWith(e.Key + "/", StringComparison.Ordinal))));
        Assert.All(entries, e => Assert.Single(e, k => k.EndsWith("/" + Manifest.FileName, StringComparison.Ordinal)));
        var putsBefore = store.Puts.Count;

        var again = new RemoteTier(store, _ => { }, Quick).Push(sample, new HashSet<string>());
        Assert.True(again.AlreadyThere);
        Assert.Null(again.Note);
        Assert.Equal(putsBefore, store.Puts.Count); // nothing written
    }

    [Fact]
    public void An_interrupted_push_files_without_their_manifest_is_not_seen_and_the_unit_is_computed()
    {
        using var folder = new TempDir();
        var store = new FolderStore(folder.Path, folder.Path);
        using var source = new TestProject();
        source.RunAll(last: "download");
        var download = source.Flow().Run("download")[0];
        var tier = new RemoteTier(store, _ => { }, Quick);
        tier.Push(download, new HashSet<string>());
        File.Delete(Path.Combine(folder.Path, "download", download.Key, Manifest.FileName)); // as if the push stopped before its last object
        Assert.Null(tier.Peek("download", download.Key));

        using var reader = new TestProject();
        Flow(reader, store, push: false).Run("download");
        Assert.Equal(["download"], reader.Ran(0));
        Assert.DoesNotContain(reader.Log, l => l.Contains("remote", StringComparison.Ordinal));
    }

    [Fact]
    public void Cache_pull_runs_nothing_and_counts_the_upstream_entries_a_units_key_needed()
    {
        using var folder = new TempDir();
        var store = new FolderStore(folder.Path, folder.Path);
        using var source = new TestProject();
        source.RunAll(last: "split");
        var tier = new RemoteTier(store, _ => { }, Quick);
        var pushed = new[] { "download", "filter-spanish", "sample", "split" }.Select(step => source.Flow().Run(step)[0]).ToList();
        foreach (var entry in pushed) tier.Push(entry, new HashSet<string>());

        using var reader = new TestProject();
        var pulled = FlowRemote.PullUnits(Flow(reader, store, push: false), ["split"]);
        Assert.Empty(reader.Ran(0));
        Assert.Equal((4, 0), (pulled.Pulled, pulled.Local));
        Assert.Empty(pulled.NotInRemote);
        // Every file of the four entries (outputs and manifests), as published in the reader's cache.
        var cache = reader.Flow().Cache;
        var published = pushed.SelectMany(e => Directory.EnumerateFiles(cache.EntryDirectory(e.Stage, e.Key))).ToList();
        Assert.Equal(pushed.Sum(e => e.Outputs.Count), pulled.Files);
        Assert.Equal(published.Sum(f => new FileInfo(f).Length), pulled.Bytes);

        var again = FlowRemote.PullUnits(Flow(reader, store, push: false), ["split"]);
        Assert.Equal((0, 1, 0, 0L), (again.Pulled, again.Local, again.Files, again.Bytes));
    }
}
