using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Pipeline.Remote;
using Lmev.Tests.Download;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Remote;

/// <summary>
/// A remote that lmev must not trust: a flipped byte, a missing file, a manifest without its files (an interrupted push), an output
/// named to escape its folder, wrong credentials (over S3, an s3rver on the loopback); a 500 and a connection dropped mid-file (over
/// http, the loopback server). Each time nothing unverified is published: a refused entry is named and computed locally, a passing
/// fault is retried or resumed, and what cannot work stops the run with one line.
/// </summary>
public sealed class RemoteFaultTests(ITestOutputHelper said)
{
    private static readonly FetchOptions Quick = new(MaxAttempts: 4, InitialBackoff: TimeSpan.FromMilliseconds(20), Timeout: TimeSpan.FromSeconds(5));

    private static readonly string[] UpToSplit = ["download", "filter-spanish", "sample", "split"];

    /// <summary>A project with its data steps cached (one shared split), whose entries are pushed whole to <paramref name="store"/>; its split.</summary>
    private static (TestProject Source, Manifest Split) Pushed(IRemoteStore store)
    {
        var p = new TestProject();
        p.RunAll(last: "split");
        var tier = new RemoteTier(store, p.Log.Add, Quick);
        foreach (var step in UpToSplit) tier.Push(p.Flow().Run(step)[0], new HashSet<string>());
        return (p, p.Flow().Run("split")[0]);
    }

    private static ExperimentFlow Flow(TestProject p, IRemoteStore store) =>
        new(Experiment.Load(p.Root, "demo"), new FlowOptions(p.Root, p.CacheRoot, p.Log.Add, Remote: new RemoteUse(new RemoteTier(store, p.Log.Add, Quick), false, new HashSet<string>())));

    private static TestProject Reader(TestProject source)
    {
        var reader = new TestProject();
        File.Copy(Experiment.FilePath(source.Root, "demo"), Experiment.FilePath(reader.Root, "demo"), overwrite: true);
        return reader;
    }

    /// <summary>
    /// The remote's split is refused, naming <paramref name="why"/>: pulled alone into an empty cache it publishes nothing and leaves no
    /// temporary folder; in a run, the steps before it come from the remote and the split is computed locally, the same bytes.
    /// </summary>
    private void RefusedAndComputedLocally(TestProject source, Manifest split, IRemoteStore store, string why)
    {
        using var empty = new TempDir();
        var cache = new StageCache(empty.Path);
        var e = Assert.Throws<RemoteTier.RefusedEntry>(() => new RemoteTier(store, _ => { }, Quick).Pull(cache, "split", split.Key));
        Assert.Contains(why, e.Message);
        Assert.Empty(cache.Entries());
        var staging = Path.Combine(empty.Path, StageCache.TempFolder);
        Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFileSystemEntries(staging).Any(), $"{staging} was left with files");

        using var reader = Reader(source);
        var flow = Flow(reader, store);
        foreach (var step in UpToSplit) flow.Run(step);
        var refused = Assert.Single(reader.Log, l => l.StartsWith($"split: the remote's entry {split.Key} is refused, nothing of it was published: ", StringComparison.Ordinal)
            && l.Contains(why, StringComparison.Ordinal) && l.EndsWith("; computing it locally", StringComparison.Ordinal));
        said.WriteLine(refused);
        Assert.Equal(["split"], reader.Ran(0));
        Assert.Equal(3, reader.Log.Count(l => l.Contains(": cached (remote) (", StringComparison.Ordinal)));
        var local = Manifest.Read(reader.Flow().Cache.EntryDirectory("split", split.Key));
        Assert.Null(CacheVerification.Verify("split", split.Key, local.Directory));
        Assert.Equal(split.Outputs, local.Outputs);
    }

    private static string Temp(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lmev-test-object-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, content);
        return path;
    }

    private static void Put(IRemoteStore store, string key, byte[] content)
    {
        var file = Temp(content);
        try { store.PutAsync(key, file, CancellationToken.None).GetAwaiter().GetResult(); }
        finally { File.Delete(file); }
    }

    private static void Delete(S3rver s3, string prefix, string key)
    {
        using var client = new AmazonS3Client(new BasicAWSCredentials(S3rver.AccessKey, S3rver.SecretKey),
            new AmazonS3Config { ServiceURL = s3.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        client.DeleteObjectAsync(s3.Bucket, $"{prefix}/{key}").GetAwaiter().GetResult();
    }

    [SkippableFact]
    public void A_flipped_byte_in_a_remote_file_is_refused_and_the_unit_computed_locally()
    {
        using var s3 = S3rver.Start();
        using var store = s3.Store("flipped");
        var (source, split) = Pushed(store);
        using var _ = source;
        var bytes = File.ReadAllBytes(split.Output("test.csv").Path);
        bytes[bytes.Length / 2] ^= 0x20;
        Put(store, $"split/{split.Key}/test.csv", bytes);
        RefusedAndComputedLocally(source, split, store, $"file 'test.csv' has sha256 {Hashing.Sha256Hex(bytes)}");
    }

    [SkippableFact]
    public void A_file_missing_from_the_remote_is_refused_and_the_unit_computed_locally()
    {
        using var s3 = S3rver.Start();
        using var store = s3.Store("missing");
        var (source, split) = Pushed(store);
        using var _ = source;
        Delete(s3, "missing", $"split/{split.Key}/train.csv");
        RefusedAndComputedLocally(source, split, store, "output(s) 'train.csv' are neither in the remote nor listed as left behind in .partial.json");
    }

    [SkippableFact]
    public void A_manifest_without_its_files_an_interrupted_push_is_refused_and_the_unit_computed_locally()
    {
        using var s3 = S3rver.Start();
        using var store = s3.Store("interrupted");
        var (source, split) = Pushed(store);
        using var _ = source;
        foreach (var file in split.Outputs.Keys.Append(PartialEntry.FileName)) Delete(s3, "interrupted", $"split/{split.Key}/{file}");
        RefusedAndComputedLocally(source, split, store, "the remote is incomplete");
    }

    [SkippableFact]
    public void An_output_named_to_escape_its_folder_is_refused_before_any_path_is_made_of_it()
    {
        using var s3 = S3rver.Start();
        using var store = s3.Store("escape");
        var (source, split) = Pushed(store);
        using var _ = source;
        // A manifest sealed and keyed like any other (outputs are not part of a key), listing one more output outside the entry.
        const string escaping = "../../escaped.csv";
        var outputs = new SortedDictionary<string, FileRecord>(split.Outputs, StringComparer.Ordinal) { [escaping] = new(Hashing.Sha256Hex("x"), 1) };
        Put(store, $"split/{split.Key}/{Manifest.FileName}", Encoding.UTF8.GetBytes((split with { Outputs = outputs }).ToJson()));
        Put(store, $"split/{split.Key}/{escaping}", "x"u8.ToArray());
        RefusedAndComputedLocally(source, split, store, $"lists an output named '{escaping}', which is not a plain file name");
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), "escaped.csv", SearchOption.TopDirectoryOnly));
    }

    [SkippableFact]
    public void Wrong_credentials_stop_the_run_with_one_line_naming_the_remote_and_no_secret()
    {
        using var s3 = S3rver.Start();
        using var p = new TestProject();
        const string key = "AKIAWRONGKEYID000000", secret = "wr0ng-s3cret-never-printed";
        foreach (var command in new[] { "status", "download" })
        {
            var (code, output) = LmevProcess.Run(p, S3rver.Credentials(key, secret), command, "--experiment", "demo", "--remote", s3.Url("creds"));
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(code == 1, output);
            var line = Assert.Single(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
            Assert.StartsWith($"error: remote s3://{s3.Bucket}/creds (endpoint {s3.Endpoint}): GET creds/download/", line);
            Assert.Contains("was refused (403 InvalidAccessKeyId)", line);
            said.WriteLine($"lmev {command}: exit {code}: {line}");
            Assert.DoesNotContain(secret, output);
            Assert.DoesNotContain(key, output);
            Assert.DoesNotContain(": running (", output);
        }
        Assert.Empty(new StageCache(p.CacheRoot).Entries());
    }

    /// <summary>The project's entries pushed to a folder served by the loopback server; the server, the store over it and the split.</summary>
    private static (TestProject Source, Manifest Split, LoopbackHttpServer Server, HttpStore Store, TempDir Folder) Served()
    {
        var folder = new TempDir();
        var (source, split) = Pushed(new FolderStore(folder.Path, folder.Path));
        var server = LoopbackHttpServer.Folder(folder.Path);
        return (source, split, server, new HttpStore(new Uri(server.Origin + "/"), TimeSpan.FromSeconds(5)), folder);
    }

    [Fact]
    public void A_500_is_retried_and_the_entry_pulled_verified()
    {
        var (source, split, server, store, folder) = Served();
        using var _ = source;
        using var __ = folder;
        using var ___ = server;
        using var reader = Reader(source);
        var target = $"/split/{split.Key}/train.csv";
        server.ReplyFor = (t, n) => t == target && n == 1 ? ServerReply.Fail(500) : ServerReply.File;
        var flow = Flow(reader, store);
        foreach (var step in UpToSplit) flow.Run(step);
        Assert.Empty(reader.Ran(0));
        said.WriteLine(Assert.Single(reader.Log, l => l.Contains($"GET split/{split.Key}/train.csv: attempt 1/4 failed (GET {server.Origin}{target} answered 500 Internal Server Error); retrying")));
        Assert.Equal([500, 200], server.Requests.Where(r => r.Target == target).Select(r => r.Status));
        var cached = reader.Log.Single(l => l.StartsWith("split: cached", StringComparison.Ordinal));
        Assert.Contains($"split: cached (remote) ({split.Key})", cached);
        said.WriteLine(cached);
        Assert.Null(CacheVerification.Verify("split", split.Key, reader.Flow().Cache.EntryDirectory("split", split.Key)));
    }

    [Fact]
    public void A_connection_dropped_mid_file_is_resumed_from_the_bytes_received()
    {
        var (source, split, server, store, folder) = Served();
        using var _ = source;
        using var __ = folder;
        using var ___ = server;
        using var reader = Reader(source);
        var target = $"/split/{split.Key}/train.csv";
        server.ReplyFor = (t, n) => t == target && n == 1 ? ServerReply.DropAfter(1000) : ServerReply.File;
        var flow = Flow(reader, store);
        foreach (var step in UpToSplit) flow.Run(step);
        Assert.Empty(reader.Ran(0));
        var requests = server.Requests.Where(r => r.Target == target).ToList();
        Assert.Equal([(200, (string?)null), (206, "bytes=1000-")], requests.Select(r => (r.Status, r.Range)));
        said.WriteLine(Assert.Single(reader.Log, l => l.Contains($"GET split/{split.Key}/train.csv: attempt 1/4 failed (connection ") && l.EndsWith("from byte 1000")));
        said.WriteLine(reader.Log.Single(l => l.StartsWith("split: cached (remote)", StringComparison.Ordinal)));
        var entry = reader.Flow().Cache.EntryDirectory("split", split.Key);
        Assert.Null(CacheVerification.Verify("split", split.Key, entry));
        Assert.Equal(File.ReadAllBytes(split.Output("train.csv").Path), File.ReadAllBytes(Path.Combine(entry, "train.csv")));
    }
}
