using System.Net;
using System.Net.Sockets;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Xunit;

namespace Lmev.Tests.Download;

public sealed class SourceFetcherTests : IDisposable
{
    private const string Name = "train";
    private static readonly byte[] Content = MakeContent(300_000, seed: 1);
    private static readonly string ContentSha = Hashing.Sha256Hex(Content);
    private static readonly FetchOptions Fast = new(MaxAttempts: 3, InitialBackoff: TimeSpan.FromMilliseconds(5), Timeout: TimeSpan.FromSeconds(5));

    private readonly string _root = Directory.CreateTempSubdirectory("lmev-download-").FullName;
    private readonly List<string> _log = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Destination => Path.Combine(_root, "out", "data.bin");

    private string PartialDirectory => Path.Combine(_root, "partial");

    private string PartPath => Path.Combine(PartialDirectory, Name + ".part");

    private SourceFetcher Fetcher(FetchOptions? options = null) =>
        new(_root, new FileHashIndex(Path.Combine(_root, "hashes.json")), _log.Add, options ?? Fast);

    private LockedSource Fetch(LockedSource source, FetchOptions? options = null) =>
        Fetcher(options).Fetch(Name, source, Destination, PartialDirectory).Verified;

    /// <summary>Random bytes, gzipped (a little over <paramref name="size"/> bytes): the lock's default format is csv.gz, whose bytes are checked.</summary>
    internal static byte[] MakeContent(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var gz = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(bytes);
        return gz.ToArray();
    }

    private void AssertPublishedWhole()
    {
        Assert.Equal(Content, File.ReadAllBytes(Destination));
        Assert.False(File.Exists(PartPath));
    }

    [Fact]
    public void Resumes_after_the_server_drops_the_connection_mid_file()
    {
        using var server = new LoopbackHttpServer(Content) { ETag = "\"v1\"" };
        server.Reply = n => n == 1 ? ServerReply.DropAfter(100_000) : ServerReply.File;

        var result = Fetch(new LockedSource(server.Url, ContentSha, Content.Length));

        Assert.Equal([null, "bytes=100000-"], server.RangeHeaders);
        Assert.Equal("\"v1\"", server.Requests[1].IfRange);
        Assert.Equal(206, server.Requests[1].Status);
        Assert.Equal(ContentSha, result.Sha256);
        AssertPublishedWhole();
    }

    [Fact]
    public void Resumes_a_partial_file_left_by_an_earlier_process()
    {
        using var server = new LoopbackHttpServer(Content) { ETag = "\"v1\"" };
        server.Reply = n => n == 1 ? ServerReply.DropAfter(120_000) : ServerReply.File;
        var source = new LockedSource(server.Url, ContentSha, Content.Length);
        Assert.Throws<LmevException>(() => Fetch(source, Fast with { MaxAttempts = 1 })); // the earlier process gives up

        Assert.Equal(120_000, new FileInfo(PartPath).Length);
        Assert.False(File.Exists(Destination));

        Fetch(source); // a later process, with a fresh fetcher

        Assert.Equal("bytes=120000-", server.RangeHeaders[1]);
        Assert.Equal("\"v1\"", server.Requests[1].IfRange);
        AssertPublishedWhole();
    }

    [Fact]
    public void Starts_over_when_the_partial_file_came_from_another_url()
    {
        using var server = new LoopbackHttpServer(Content);
        server.Reply = n => n == 1 ? ServerReply.DropAfter(50_000) : ServerReply.File;
        Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, ContentSha), Fast with { MaxAttempts = 1 }));

        Fetch(new LockedSource(server.Url + "?mirror=2", ContentSha));

        Assert.Null(server.RangeHeaders[1]);
        AssertPublishedWhole();
    }

    [Fact]
    public void Starts_over_when_the_file_on_the_server_changed_since_the_partial_download()
    {
        using var server = new LoopbackHttpServer(Content) { ETag = "\"v1\"" };
        server.Reply = n =>
        {
            if (n == 2) server.ETag = "\"v2\"";
            return n == 1 ? ServerReply.DropAfter(50_000) : ServerReply.File;
        };

        Fetch(new LockedSource(server.Url, ContentSha));

        Assert.Equal("bytes=50000-", server.RangeHeaders[1]);
        Assert.Equal(200, server.Requests[1].Status); // If-Range "v1" no longer matches: the whole file came again
        AssertPublishedWhole();
    }

    [Fact]
    public void Wrong_bytes_fail_naming_both_hashes_and_publish_nothing()
    {
        using var server = new LoopbackHttpServer(Content);
        var expected = Hashing.Sha256Hex("some other file");

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, expected, Content.Length)));

        Assert.Contains(expected, e.Message);
        Assert.Contains(ContentSha, e.Message);
        Assert.Contains($"'{Name}'", e.Message);
        Assert.False(File.Exists(Destination));
        Assert.False(File.Exists(PartPath));
    }

    [Fact]
    public void Wrong_size_fails_naming_both_sizes_and_publishes_nothing()
    {
        using var server = new LoopbackHttpServer(Content);

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, "", Content.Length + 1)));

        Assert.Contains($"expected {Content.Length + 1} bytes, found {Content.Length}", e.Message);
        Assert.False(File.Exists(Destination));
        Assert.False(File.Exists(PartPath));
    }

    [Fact]
    public void Not_found_fails_at_once_naming_the_url_the_status_and_the_offline_demo()
    {
        using var server = new LoopbackHttpServer(Content) { Reply = _ => ServerReply.Fail(404) };

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, ContentSha)));

        Assert.Contains(server.Url, e.Message);
        Assert.Contains("404 Not Found", e.Message);
        Assert.Contains($"'{Name}'", e.Message);
        Assert.Contains("--experiment=demo", e.Message);
        Assert.Equal(1, server.RequestCount);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public void Retries_after_service_unavailable_and_succeeds()
    {
        using var server = new LoopbackHttpServer(Content) { Reply = n => n <= 2 ? ServerReply.Fail(503) : ServerReply.File };

        Fetch(new LockedSource(server.Url, ContentSha));

        Assert.Equal(3, server.RequestCount);
        Assert.Equal(2, _log.Count(l => l.Contains("503")));
        AssertPublishedWhole();
    }

    [Fact]
    public void Connection_refused_fails_after_max_attempts_naming_the_url()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0); // a port that was free a moment ago
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/data.bin";
        listener.Stop();

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(url, ContentSha), Fast with { MaxAttempts = 2 }));

        Assert.Contains(url, e.Message);
        Assert.Contains("after 2 attempts", e.Message);
        Assert.Contains("--experiment=demo", e.Message);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public void A_frozen_lock_with_an_empty_hash_fails_before_any_request()
    {
        using var server = new LoopbackHttpServer(Content);

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url), Fast with { Locked = true }));

        Assert.Contains("without --locked", e.Message);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public void A_frozen_lock_with_a_different_hash_fails_and_publishes_nothing()
    {
        using var server = new LoopbackHttpServer(Content);
        var expected = Hashing.Sha256Hex("the file as it was");

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, expected), Fast with { Locked = true }));

        Assert.Contains(expected, e.Message);
        Assert.Contains(ContentSha, e.Message);
        Assert.Contains("frozen", e.Message);
        Assert.False(File.Exists(Destination));
        Assert.False(File.Exists(PartPath));
    }

    [Fact]
    public void An_empty_hash_is_filled_from_the_first_download_trust_on_first_use()
    {
        using var server = new LoopbackHttpServer(Content);

        var result = Fetch(new LockedSource(server.Url, Format: "bin"));

        Assert.Equal(new LockedSource(server.Url, ContentSha, Content.Length, "bin"), result);
        // The fetcher writes no lock and so says nothing of filling it: the flow says it once, when it writes the lock.
        Assert.DoesNotContain(_log, l => l.Contains("filled"));
        AssertPublishedWhole();
    }

    [Fact]
    public void Copies_and_verifies_a_file_uri_source()
    {
        var source = Path.Combine(_root, "elsewhere", "data.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        File.WriteAllBytes(source, Content);

        var result = Fetch(new LockedSource(new Uri(source).AbsoluteUri, ContentSha, Content.Length));

        Assert.Equal(ContentSha, result.Sha256);
        AssertPublishedWhole();
        Assert.True(File.Exists(source));
    }

    [Fact]
    public void Copies_and_verifies_a_path_relative_to_the_project_root()
    {
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.WriteAllBytes(Path.Combine(_root, "data", "train.bin"), Content);

        var result = Fetch(new LockedSource("data/train.bin"));

        Assert.Equal((ContentSha, (long)Content.Length), (result.Sha256, result.Size));
        AssertPublishedWhole();
    }

    [Fact]
    public void A_local_source_with_wrong_bytes_is_not_copied()
    {
        File.WriteAllBytes(Path.Combine(_root, "train.bin"), Content);
        var expected = Hashing.Sha256Hex("another file");

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource("train.bin", expected)));

        Assert.Contains(expected, e.Message);
        Assert.Contains(ContentSha, e.Message);
        Assert.False(File.Exists(Destination));
    }
}
