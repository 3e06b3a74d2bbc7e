using System.IO.Compression;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Tests.Download;
using Xunit.Abstractions;

namespace Lmev.Tests.Faults;

/// <summary>
/// Issue 11's download faults against the loopback server, each ending verified (the file published with the right
/// sha256) or with an error naming the URL and the cause and nothing published. Finer checks of some of them live
/// beside the fetcher: Download/SourceFetcherTests.Resumes_after_the_server_drops_the_connection_mid_file (Range and
/// If-Range headers), .Retries_after_service_unavailable_and_succeeds (503), Fetching/RedirectTests.A_redirect_loop_is_refused_naming_the_chain.
/// </summary>
[Trait("Category", "Faults")]
public sealed class DownloadFaultTests(ITestOutputHelper output) : IDisposable
{
    private const string Name = "train";
    private static readonly byte[] Content = SourceFetcherTests.MakeContent(300_000, seed: 11);
    private static readonly string ContentSha = Hashing.Sha256Hex(Content);
    private static readonly FetchOptions Fast = new(MaxAttempts: 3, InitialBackoff: TimeSpan.FromMilliseconds(5), Timeout: TimeSpan.FromSeconds(10));

    /// <summary>A tiny read timeout, for the stalled server (a busy machine still moves a loopback byte within it).</summary>
    private static readonly FetchOptions Impatient = Fast with { Timeout = TimeSpan.FromSeconds(2) };

    private readonly string _root = Directory.CreateTempSubdirectory("lmev-download-faults-").FullName;
    private readonly List<string> _log = [];
    private int _case;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Destination => Path.Combine(_root, $"out-{_case}", "data.bin");

    private string PartialDirectory => Path.Combine(_root, $"partial-{_case}");

    private FetchedSource Fetch(LockedSource source, FetchOptions? options = null) =>
        new SourceFetcher(_root, new FileHashIndex(Path.Combine(_root, "hashes.json")), _log.Add, options ?? Fast)
            .Fetch(Name, source, Destination, PartialDirectory);

    /// <summary>Verified: published whole with the lock's sha256, no partial file left.</summary>
    private void AssertVerified(FetchedSource fetched)
    {
        Assert.Equal(ContentSha, fetched.Verified.Sha256);
        Assert.Equal(ContentSha, Hashing.Sha256OfFile(Destination));
        Assert.False(Directory.Exists(PartialDirectory) && Directory.EnumerateFiles(PartialDirectory, "*.part").Any());
    }

    /// <summary>A clear error: one that names the URL and <paramref name="cause"/>, with nothing published.</summary>
    private static void AssertClearError(LmevException e, string url, string cause, string destination)
    {
        Assert.True(e.Message.Contains(url) && e.Message.Contains(cause), $"expected the url {url} and '{cause}' in: {e.Message}");
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public void Every_download_fault_ends_verified_or_with_an_error_naming_the_url_and_the_cause()
    {
        var cases = new (string Kind, Func<string> Run)[]
        {
            ("dropped connection", DroppedConnection),
            ("stalled", Stalled),
            ("500s then success", ServerErrorsThenSuccess),
            ("short body", ShortBody),
            ("truncated gzip", TruncatedGzip),
            ("redirect loop", RedirectLoop),
        };
        var outcomes = new List<string>();
        var failed = new List<string>();
        foreach (var (kind, run) in cases)
        {
            _case++;
            _log.Clear();
            try { outcomes.Add($"{kind}: {run()}"); }
            catch (Exception e) { failed.Add($"{kind}: {e.Message}"); }
        }
        foreach (var f in failed) output.WriteLine($"FAILED {f}");
        output.WriteLine($"faults: {outcomes.Count} of {cases.Length} download fault kinds handled ({string.Join("; ", outcomes)})");
        Assert.Empty(failed);
    }

    /// <summary>The connection closes mid-body: the next attempt asks for the rest (Range) and the whole verifies.</summary>
    private string DroppedConnection()
    {
        using var server = new LoopbackHttpServer(Content) { ETag = "\"v1\"" };
        server.Reply = n => n == 1 ? ServerReply.DropAfter(100_000) : ServerReply.File;
        var fetched = Fetch(new LockedSource(server.Url, ContentSha, Content.Length));
        AssertVerified(fetched);
        Assert.Equal([null, "bytes=100000-"], server.RangeHeaders);
        return $"resumed from byte {server.RangeHeaders[1]![6..^1]}, verified";
    }

    /// <summary>Headers, some bytes, then silence: the idle timeout on reading fires, the next attempt resumes; a server that always stalls ends in an error saying so.</summary>
    private string Stalled()
    {
        using var server = new LoopbackHttpServer(Content) { ETag = "\"v1\"" };
        server.Reply = n => n == 1 ? new ServerReply(StallAfterBytes: 50_000) : ServerReply.File;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fetched = Fetch(new LockedSource(server.Url, ContentSha, Content.Length), Impatient);
        AssertVerified(fetched);
        Assert.Contains(_log, l => l.Contains("the server stalled: no data for 2 s after byte 50000"));
        Assert.Equal("bytes=50000-", server.RangeHeaders[1]);
        var once = clock.Elapsed;

        _case++;
        using var hung = new LoopbackHttpServer(Content) { Reply = _ => new ServerReply(StallAfterBytes: 1000) };
        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(hung.Url, ContentSha, Content.Length), Impatient with { MaxAttempts = 2 }));
        AssertClearError(e, hung.Url, "the server stalled: no data for 2 s after byte 2000", Destination); // the second attempt resumed at 1000
        Assert.Equal([null, "bytes=1000-"], hung.RangeHeaders);
        return $"read timeout after {once.TotalSeconds:0.#} s, resumed from byte 50000, verified; always stalled: error after 2 attempts";
    }

    /// <summary>Two 500s, then the file: retried with back-off, verified.</summary>
    private string ServerErrorsThenSuccess()
    {
        using var server = new LoopbackHttpServer(Content) { Reply = n => n <= 2 ? ServerReply.Fail(500) : ServerReply.File };
        var fetched = Fetch(new LockedSource(server.Url, ContentSha));
        AssertVerified(fetched);
        Assert.Equal([500, 500, 200], server.Requests.Select(r => r.Status));
        Assert.Equal(2, _log.Count(l => l.Contains("500 Internal Server Error") && l.Contains("retrying")));
        return $"retried {server.RequestCount - 1} times, verified";
    }

    /// <summary>
    /// A Content-Length larger than what is sent, then the connection closes, on every request: the fetcher asks for the
    /// rest, the server says there is no more (416 with the real length), and the bytes verify against the lock's hash.
    /// </summary>
    private string ShortBody()
    {
        using var server = new LoopbackHttpServer(Content) { ETag = "\"v1\"", Reply = _ => new ServerReply(ClaimExtraBytes: 4096) };
        var fetched = Fetch(new LockedSource(server.Url, ContentSha, Content.Length));
        AssertVerified(fetched);
        Assert.Contains(_log, l => l.Contains($"after byte {Content.Length}"));
        Assert.Equal(416, server.Requests[^1].Status);

        // Without a pinned hash, bytes the server announced and never sent must not be trusted: they are not there, and
        // what is there is what the 416 says the file holds; the gzip check decompresses it whole before pinning.
        _case++;
        using var again = new LoopbackHttpServer(Content) { Reply = _ => new ServerReply(ClaimExtraBytes: 4096) };
        var filled = Fetch(new LockedSource(again.Url));
        Assert.True(filled.Filled);
        Assert.Equal(ContentSha, filled.Verified.Sha256);
        return $"resumed, the server's {server.Requests[^1].Status} confirmed {Content.Length:N0} bytes, verified";
    }

    /// <summary>A gzip cut short but served whole (its Content-Length matches), with no hash to check it: refused before trust on first use pins it.</summary>
    private string TruncatedGzip()
    {
        var cut = Content[..(Content.Length * 3 / 5)];
        using var server = new LoopbackHttpServer(cut);
        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, Format: "csv.gz")));
        AssertClearError(e, server.Url, "cut-off gzip", Destination);
        Assert.Contains("sha256 was not filled in", e.Message);
        Assert.False(File.Exists(Path.Combine(PartialDirectory, Name + ".part")));
        Assert.DoesNotContain(_log, l => l.Contains("trust on first use"));

        // The same bytes behind a pinned hash fail on the hash, naming both.
        _case++;
        var pinned = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, ContentSha, Format: "csv.gz")));
        AssertClearError(pinned, server.Url, $"expected sha256 {ContentSha}, found {Hashing.Sha256Hex(cut)}", Destination);
        return "refused before trust on first use (and by the pinned hash)";
    }

    /// <summary>a → b → a: refused at once naming the chain, not retried, nothing published.</summary>
    private string RedirectLoop()
    {
        using var a = new LoopbackHttpServer([]);
        using var b = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(a.Url) };
        a.Reply = _ => ServerReply.Redirect(b.Url);
        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(a.Url, ContentSha)));
        AssertClearError(e, $"{a.Url} → {b.Url} → {a.Url}", "redirect loop", Destination);
        Assert.Equal((1, 1), (a.RequestCount, b.RequestCount));
        return $"refused after {a.RequestCount + b.RequestCount} requests naming the loop";
    }
}
