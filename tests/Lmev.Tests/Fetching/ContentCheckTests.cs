using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Tests.Download;

namespace Lmev.Tests.Fetching;

/// <summary>Bytes that are not what the lock's format says are refused before trust on first use pins them.</summary>
public sealed class ContentCheckTests : IDisposable
{
    private const string Name = "nnlm-es-dim50";
    private static readonly byte[] Html = Encoding.UTF8.GetBytes("\n  <!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n");
    private static readonly FetchOptions Fast = new(MaxAttempts: 2, InitialBackoff: TimeSpan.FromMilliseconds(5), Timeout: TimeSpan.FromSeconds(5));

    private readonly string _root = Directory.CreateTempSubdirectory("lmev-content-").FullName;
    private readonly List<string> _log = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Destination => Path.Combine(_root, "out", "model.tar.gz");

    private string PartialDirectory => Path.Combine(_root, "partial");

    private FetchedSource Fetch(LockedSource source) =>
        new SourceFetcher(_root, new FileHashIndex(Path.Combine(_root, "hashes.json")), _log.Add, Fast)
            .Fetch(Name, source, Destination, PartialDirectory);

    private void AssertNothingKept()
    {
        Assert.False(File.Exists(Destination));
        Assert.False(File.Exists(Path.Combine(PartialDirectory, Name + ".part")));
        Assert.DoesNotContain(_log, l => l.Contains("trust on first use"));
    }

    [Fact]
    public void An_html_page_for_a_tar_gz_with_an_empty_hash_fails_and_fills_nothing()
    {
        using var files = new LoopbackHttpServer(Html);
        using var hub = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(files.Url) };

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(hub.Url, Format: "tar.gz")));

        Assert.Contains("the server answered an HTML page instead of a gzip tar", e.Message);
        Assert.Contains(hub.Url, e.Message);
        Assert.Contains(files.Url, e.Message);
        Assert.Contains("sha256 was not filled in", e.Message);
        Assert.Contains($"'{Name}'", e.Message);
        AssertNothingKept();
    }

    [Fact]
    public void An_html_page_is_named_as_such_even_when_a_hash_is_pinned()
    {
        using var server = new LoopbackHttpServer(Html);

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, new string('a', 64), Format: "tar.gz")));

        Assert.Contains("HTML page instead of a gzip tar", e.Message);
        Assert.DoesNotContain("not filled", e.Message);
        AssertNothingKept();
    }

    [Fact]
    public void Gzip_that_holds_no_tar_is_refused_for_a_tar_gz()
    {
        var gzipOfText = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gzipOfText, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(new string('x', 2000)));
        using var server = new LoopbackHttpServer(gzipOfText.ToArray());

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, Format: "tar.gz")));

        Assert.Contains("not a tar", e.Message);
        AssertNothingKept();
    }

    [Fact]
    public void Bytes_that_are_not_gzip_are_refused_for_a_csv_gz()
    {
        using var server = new LoopbackHttpServer(Encoding.UTF8.GetBytes("id,title\n1,a\n"));

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource(server.Url, Format: "csv.gz")));

        Assert.Contains("not gzip", e.Message);
        Assert.Contains("instead of a gzip file", e.Message);
        AssertNothingKept();
    }

    [Fact]
    public void A_local_html_file_for_a_tar_gz_is_refused_naming_its_path()
    {
        var path = Path.Combine(_root, "model.tar.gz");
        File.WriteAllBytes(path, Html);

        var e = Assert.Throws<LmevException>(() => Fetch(new LockedSource("model.tar.gz", Format: "tar.gz")));

        Assert.Contains($"{path}, which is an HTML page, not a gzip tar", e.Message);
        AssertNothingKept();
    }

    [Fact]
    public void A_real_tarball_passes_the_check()
    {
        var tarball = TestTarballs.Model();
        using var server = new LoopbackHttpServer(tarball);

        var result = Fetch(new LockedSource(server.Url, Format: "tar.gz"));

        Assert.True(result.Filled);
        Assert.Equal(Hashing.Sha256Hex(tarball), result.Verified.Sha256);
        Assert.Equal(server.Url, result.FinalUrl);
    }
}
