using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;

namespace Lmev.Tests.Fetching;

/// <summary>The redirect rules that a loopback server cannot show (it speaks no TLS).</summary>
public sealed class RedirectPolicyTests
{
    private static Uri Next(string status, params string[] chain) =>
        RedirectPolicy.Next("model", [.. chain[..^1].Select(u => new Uri(u))], int.Parse(status), new Uri(chain[^1], UriKind.RelativeOrAbsolute));

    [Fact]
    public void Https_to_http_is_refused_naming_both_urls()
    {
        var e = Assert.Throws<LmevException>(() => Next("302", "https://hub.example/m/2", "http://files.example/m.tar.gz"));

        Assert.Contains("from https down to http", e.Message);
        Assert.Contains("https://hub.example/m/2 → http://files.example/m.tar.gz", e.Message);
        Assert.Contains("'model'", e.Message);
    }

    [Fact]
    public void Http_to_https_and_https_across_hosts_are_followed()
    {
        Assert.Equal("https://hub.example/m/2", Next("301", "http://hub.example/m/2", "https://hub.example/m/2").AbsoluteUri);
        Assert.Equal("https://files.example:8443/m.tar.gz", Next("302", "https://hub.example/m/2", "https://files.example:8443/m.tar.gz").AbsoluteUri);
    }

    [Fact]
    public void Https_to_http_is_refused_further_down_the_chain_too()
    {
        var e = Assert.Throws<LmevException>(() => Next("307", "http://a.example/", "https://b.example/", "http://c.example/"));

        Assert.Contains("http://a.example/ → https://b.example/ → http://c.example/", e.Message);
    }

    [Fact]
    public void A_relative_location_keeps_the_scheme_and_host()
    {
        Assert.Equal("https://hub.example/files/m.tar.gz", Next("303", "https://hub.example/m/2?x=1", "/files/m.tar.gz").AbsoluteUri);
    }

    [Fact]
    public void A_location_that_is_not_http_is_refused()
    {
        var e = Assert.Throws<LmevException>(() => Next("302", "https://hub.example/m", "file:///etc/passwd"));

        Assert.Contains("not http(s)", e.Message);
    }

    [Theory]
    [InlineData(301, true)]
    [InlineData(302, true)]
    [InlineData(303, true)]
    [InlineData(307, true)]
    [InlineData(308, true)]
    [InlineData(300, false)]
    [InlineData(304, false)]
    [InlineData(200, false)]
    public void Which_statuses_are_followed(int status, bool followed) => Assert.Equal(followed, RedirectPolicy.IsRedirect(status));
}
