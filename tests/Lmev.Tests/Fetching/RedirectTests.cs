using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Tests.Download;

namespace Lmev.Tests.Fetching;

public sealed class RedirectTests : IDisposable
{
    private const string Name = "nnlm-es-dim50";
    private static readonly byte[] Tarball = TestTarballs.Model();
    private static readonly string TarballSha = Hashing.Sha256Hex(Tarball);
    private static readonly FetchOptions Fast = new(MaxAttempts: 3, InitialBackoff: TimeSpan.FromMilliseconds(5), Timeout: TimeSpan.FromSeconds(5));

    private readonly string _root = Directory.CreateTempSubdirectory("lmev-redirect-").FullName;
    private readonly List<string> _log = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Destination => Path.Combine(_root, "out", "model.tar.gz");

    private FetchedSource Fetch(LockedSource source) =>
        new SourceFetcher(_root, new FileHashIndex(Path.Combine(_root, "hashes.json")), _log.Add, Fast)
            .Fetch(Name, source, Destination, Path.Combine(_root, "partial"));

    [Fact]
    public void Follows_a_302_to_another_port_and_records_both_urls()
    {
        using var files = new LoopbackHttpServer(Tarball);
        using var hub = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(files.Url) };
        var lockUrl = hub.Url + "?tf-hub-format=compressed";

        var result = Fetch(new LockedSource(lockUrl, TarballSha, Format: "tar.gz"));

        Assert.Equal(lockUrl, result.Verified.Url); // the lock's URL stays as written
        Assert.Equal(files.Url, result.FinalUrl);
        Assert.Equal(TarballSha, result.Verified.Sha256);
        Assert.False(result.Filled); // the hash was pinned
        Assert.Equal(Tarball, File.ReadAllBytes(Destination));
        Assert.Equal(302, hub.Requests.Single().Status);
        Assert.Contains(_log, l => l.Contains("redirected") && l.Contains(files.Url));
    }

    [Fact]
    public void Trust_on_first_use_through_a_redirect_says_it_filled_the_hash()
    {
        using var files = new LoopbackHttpServer(Tarball);
        using var hub = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(files.Url, status: 307) };

        var result = Fetch(new LockedSource(hub.Url, Format: "tar.gz"));

        Assert.True(result.Filled);
        Assert.Equal((TarballSha, (long)Tarball.Length), (result.Verified.Sha256, result.Verified.Size));
        Assert.Equal(hub.Url, result.Verified.Url);
        Assert.Equal(files.Url, result.FinalUrl);
    }

    [Fact]
    public void A_resumed_request_goes_to_the_final_url()
    {
        var big = TestTarballs.Build(TestTarballs.File("saved_model.pb", TestTarballs.Random(300_000, seed: 2)));
        using var files = new LoopbackHttpServer(big) { ETag = "\"v1\"" };
        files.Reply = n => n == 1 ? ServerReply.DropAfter(100_000) : ServerReply.File;
        using var hub = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(files.Url, status: 301) };

        var result = Fetch(new LockedSource(hub.Url, Hashing.Sha256Hex(big), Format: "tar.gz"));

        Assert.Equal(1, hub.RequestCount); // the retry did not ask the redirecting host again
        Assert.Equal([null, "bytes=100000-"], files.RangeHeaders);
        Assert.Equal(206, files.Requests[1].Status);
        Assert.Equal(files.Url, result.FinalUrl);
        Assert.Equal(big, File.ReadAllBytes(Destination));
    }

    [Fact]
    public void A_relative_location_is_resolved_against_the_url_that_sent_it()
    {
        using var server = new LoopbackHttpServer(Tarball) { Reply = n => n == 1 ? ServerReply.Redirect("/files/model.tar.gz", 308) : ServerReply.File };

        var result = Fetch(new LockedSource(server.Url, TarballSha, Format: "tar.gz"));

        Assert.Equal(server.Origin + "/files/model.tar.gz", result.FinalUrl);
        Assert.Equal("/files/model.tar.gz", server.Requests[1].Target);
    }

    [Fact]
    public void A_redirect_loop_is_refused_naming_the_chain()
    {
        using var a = new LoopbackHttpServer([]);
        using var b = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(a.Url) };
        a.Reply = _ => ServerReply.Redirect(b.Url);

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(a.Url, TarballSha, Format: "tar.gz")));

        Assert.Contains("redirect loop", e.Message);
        Assert.Contains($"{a.Url} → {b.Url} → {a.Url}", e.Message);
        Assert.Contains($"'{Name}'", e.Message);
        Assert.Equal((1, 1), (a.RequestCount, b.RequestCount)); // refused at once, not retried
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public void Ten_redirects_are_followed_and_an_eleventh_is_refused()
    {
        using var ten = new LoopbackHttpServer(Tarball) { Reply = n => n <= 10 ? ServerReply.Redirect($"/hop{n}") : ServerReply.File };
        Assert.Equal(ten.Origin + "/hop10", Fetch(new LockedSource(ten.Url, TarballSha, Format: "tar.gz")).FinalUrl);
        File.Delete(Destination);

        using var eleven = new LoopbackHttpServer([]) { Reply = n => ServerReply.Redirect($"/hop{n}") };
        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(eleven.Url, TarballSha, Format: "tar.gz")));

        Assert.Contains("more than 10 redirects", e.Message);
        Assert.Contains($"{eleven.Url} → {eleven.Origin}/hop1 → ", e.Message);
        Assert.Contains($"{eleven.Origin}/hop11", e.Message);
        Assert.Equal(11, eleven.RequestCount);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public void A_redirect_without_location_fails_naming_the_url()
    {
        using var server = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Fail(302) };

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, TarballSha, Format: "tar.gz")));

        Assert.Contains("no Location header", e.Message);
        Assert.Contains(server.Url, e.Message);
    }
}
