using Lmev.Pipeline;
using Lmev.Pipeline.Remote;
using Lmev.Tests.Support;

namespace Lmev.Tests.Remote;

/// <summary>Which remote a project uses and how its URL is read: the forms, what is refused, and where the setting comes from.</summary>
public sealed class RemoteSettingsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("s3://bucket/some/prefix?endpoint=http://127.0.0.1:9000&path-style=true&region=eu-west-1", typeof(S3Store), "s3://bucket/some/prefix (endpoint http://127.0.0.1:9000)")]
    [InlineData("s3://bucket", typeof(S3Store), "s3://bucket")]
    [InlineData("https://cache.example.org/lmev/", typeof(HttpStore), "https://cache.example.org/lmev")]
    [InlineData("http://127.0.0.1:8080/lmev", typeof(HttpStore), "http://127.0.0.1:8080/lmev")]
    [InlineData("file:///srv/lmev-cache", typeof(FolderStore), "file:///srv/lmev-cache")]
    public void Each_form_opens_its_store_named_without_a_secret(string url, Type store, string shown)
    {
        using var opened = RemoteUrl.Open(url, "/project", Timeout, "test");
        Assert.IsType(store, opened);
        Assert.Equal(shown, opened.Url);
        Assert.Equal(store != typeof(HttpStore), opened.Writable);
    }

    [Theory]
    [InlineData("s3://AKIAEXAMPLE:secretvalue@bucket/p", "credentials are never part of the URL")]
    [InlineData("https://user:secretvalue@cache.example.org/", "credentials are never part of the URL")]
    [InlineData("http://cache.example.org/lmev", "plain http only on the loopback")]
    [InlineData("s3://bucket/p?endpont=http://x", "unknown parameter 'endpont'")]
    [InlineData("s3://bucket/p?path-style=yes", "path-style=yes: expected true or false")]
    [InlineData("ftp://host/p", "an unknown scheme")]
    public void A_url_lmev_cannot_use_safely_is_refused_naming_why(string url, string why)
    {
        var e = Assert.Throws<LmevException>(() => RemoteUrl.Open(url, "/project", Timeout, "test").Dispose());
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain("secretvalue", e.Message.Replace(url, ""));
    }

    [Fact]
    public void A_folder_path_is_read_from_the_project_folder()
    {
        using var store = (FolderStore)RemoteUrl.Open("../shared-cache", "/work/project", Timeout, "test");
        Assert.Equal("/work/shared-cache", store.Root);
    }

    [SkippableFact]
    public void The_given_url_wins_then_the_local_file_then_the_project_file_and_an_empty_one_means_none()
    {
        // Not LMEV_REMOTE: tests never change the process's environment; `lmev` takes it between --remote and the files.
        Skip.If(Environment.GetEnvironmentVariable(RemoteSettings.UrlVariable) is not null || Environment.GetEnvironmentVariable(RemoteSettings.PushVariable) is not null,
            "LMEV_REMOTE or LMEV_REMOTE_PUSH is set in this environment");
        using var dir = new TempDir();
        Assert.Null(RemoteSettings.Resolve(dir.Path, null));
        dir.File(RemoteSettings.ProjectFile, """{ "remote": { "url": "https://cache.example.org/lmev", "omit": ["model.dat"] } }""");
        var shared = RemoteSettings.Resolve(dir.Path, null)!;
        Assert.Equal(("https://cache.example.org/lmev", false), (shared.Url, shared.Push));
        Assert.Equal(["model.dat"], shared.Omit);
        dir.File(RemoteSettings.LocalFile, """{ "remote": { "url": "s3://team/lmev", "push": true } }""");
        var local = RemoteSettings.Resolve(dir.Path, null)!;
        Assert.Equal(("s3://team/lmev", true), (local.Url, local.Push));
        Assert.Equal("s3://other", RemoteSettings.Resolve(dir.Path, "s3://other")!.Url);
        Assert.Null(RemoteSettings.Resolve(dir.Path, ""));
    }

    [Fact]
    public void A_mistyped_key_in_the_config_is_named()
    {
        using var dir = new TempDir();
        dir.File(RemoteSettings.ProjectFile, """{ "remote": { "ulr": "s3://x" } }""");
        var e = Assert.Throws<LmevException>(() => RemoteSettings.Resolve(dir.Path, null));
        Assert.Contains(RemoteSettings.ProjectFile, e.Message);
        Assert.Contains("ulr", e.Message);
    }
}
