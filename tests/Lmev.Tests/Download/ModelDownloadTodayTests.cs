using System.IO.Compression;
using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Tests.Fetching;
using Lmev.Tests.Models.TensorFlow;
using Lmev.Tests.Support;

namespace Lmev.Tests.Download;

/// <summary>
/// The download as it is today: tfhub.dev redirects to Kaggle Models, which has answered 403 or a web page. Either ends
/// in one message naming the URL, where it led, and the ways forward (Kaggle's direct archive URL, a copy by path), with
/// nothing written to the lock. The archive may be what TF Hub's resolver reads: gzip (of several members too) or a plain tar.
/// </summary>
public sealed class ModelDownloadTodayTests
{
    private const string Kaggle = "https://www.kaggle.com/api/v1/models/google/nnlm/tensorFlow2/es-dim50-with-normalization/2/download";

    /// <summary>A project whose one nnlm model is pinned at <paramref name="url"/> with no hash yet; returns the lock's bytes.</summary>
    private static (TestProject Project, string LockPath, byte[] Before) Project(string url)
    {
        var p = new TestProject(sampleRows: 600, testRows: 100);
        p.Experiment["models"] = JsonNode.Parse("""[ { "name": "es50", "kind": "nnlm", "language": "es", "source": "nnlm-es-dim50-with-normalization" } ]""");
        p.Save();
        var lockPath = Path.Combine(p.Root, DataLock.FileName);
        File.WriteAllText(lockPath, new JsonObject
        {
            ["sources"] = new JsonObject { ["nnlm-es-dim50-with-normalization"] = new JsonObject { ["url"] = url, ["format"] = "tar.gz", ["rows"] = 17, ["dim"] = 8 } },
        }.ToJsonString());
        return (p, lockPath, File.ReadAllBytes(lockPath));
    }

    /// <summary>A hub that redirects twice (tfhub.dev → a Kaggle page → signed storage), the last URL answering <paramref name="last"/>.</summary>
    private static (LoopbackHttpServer Hub, LoopbackHttpServer Kaggle, LoopbackHttpServer Storage) Chain(byte[] content, ServerReply last)
    {
        var storage = new LoopbackHttpServer(content) { Reply = _ => last };
        var kaggle = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(storage.Origin + "/models/nnlm/es-dim50.tar.gz?X-Goog-Signature=abc") };
        var hub = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(kaggle.Origin + "/models/google/nnlm/tensorFlow2/es-dim50-with-normalization/2") };
        return (hub, kaggle, storage);
    }

    [Fact]
    public void A_302_chain_ending_in_403_names_the_url_the_final_url_and_the_ways_forward_and_leaves_the_lock()
    {
        var (hub, kaggle, storage) = Chain([], ServerReply.Fail(403));
        using (hub) using (kaggle) using (storage)
        {
            var url = hub.Origin + "/google/nnlm-es-dim50-with-normalization/2?tf-hub-format=compressed";
            var (p, lockPath, before) = Project(url);
            using (p)
            {
                var error = Assert.Throws<LmevException>(() => p.Flow().Run("model"));
                Assert.Contains($"GET {url} answered 403", error.Message);
                Assert.Contains(storage.Origin + "/models/nnlm/es-dim50.tar.gz?X-Goog-Signature=abc", error.Message);
                Assert.Contains(Kaggle, error.Message);
                Assert.Contains("a copy by path", error.Message);
                Assert.Contains("lmev inspect-model", error.Message);
                Assert.Equal(before, File.ReadAllBytes(lockPath));
            }
        }
    }

    [Fact]
    public void A_302_chain_ending_in_an_html_page_names_the_url_the_final_url_and_the_ways_forward_and_leaves_the_lock()
    {
        var (hub, kaggle, storage) = Chain("<!DOCTYPE html><html><body>Sign in to Kaggle</body></html>"u8.ToArray(), ServerReply.File);
        using (hub) using (kaggle) using (storage)
        {
            var url = hub.Origin + "/google/nnlm-es-dim50-with-normalization/2?tf-hub-format=compressed";
            var (p, lockPath, before) = Project(url);
            using (p)
            {
                var error = Assert.Throws<LmevException>(() => p.Flow().Run("model"));
                Assert.Contains($"from {url} (redirected to {storage.Origin}/models/nnlm/es-dim50.tar.gz?X-Goog-Signature=abc)", error.Message);
                Assert.Contains("the server answered an HTML page instead of a gzip tar", error.Message);
                Assert.Contains(Kaggle, error.Message);
                Assert.Contains("a copy by path", error.Message);
                Assert.Equal(before, File.ReadAllBytes(lockPath));
            }
        }
    }

    [Theory]
    [InlineData("multi-member gzip")]
    [InlineData("plain tar")]
    public void An_archive_as_TF_Hub_s_resolver_reads_it_imports_and_is_trusted_on_first_use(string form)
    {
        using var files = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(files.Path, "model"), normalize: true);
        var tarGz = File.ReadAllBytes(NnlmTestModel.TarGz(built.Directory, Path.Combine(files.Path, "one.tar.gz")));
        byte[] tar;
        using (var gz = new GZipStream(new MemoryStream(tarGz), CompressionMode.Decompress))
        using (var plain = new MemoryStream())
        {
            gz.CopyTo(plain);
            tar = plain.ToArray();
        }
        // pigz-style: the tar in three gzip members, concatenated; each member's trailer records its own length only.
        var bytes = form == "plain tar" ? tar : Members(tar, tar.Length / 3, 2 * tar.Length / 3);
        using var server = new LoopbackHttpServer(bytes);
        var (p, lockPath, _) = Project(server.Origin + "/google/nnlm-es-dim50-with-normalization/2?tf-hub-format=compressed");
        using (p)
        {
            var model = p.Flow().Run("model")[0];
            Assert.Equal(17L, (long)model.Report["rows"]!);
            Assert.Equal(Hashing.Sha256Hex(bytes), DataLock.Read(lockPath).Sources["nnlm-es-dim50-with-normalization"].Sha256);
        }
    }

    [Fact]
    public void A_gzip_of_several_members_cut_short_is_still_refused()
    {
        var tar = TestTarballs.Build(TestTarballs.File("saved_model.pb", TestTarballs.Random(200_000, seed: 3)));
        var bytes = Members(tar, tar.Length / 2);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "cut.tar.gz");
        File.WriteAllBytes(path, bytes[..^40]);
        var e = Assert.Throws<LmevException>(() => SafeTarExtractor.Extract(path, Path.Combine(dir.Path, "out"), "model"));
        Assert.Contains("nothing was extracted", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));
    }

    [Fact]
    public void Another_compression_is_refused_naming_what_it_is()
    {
        using var server = new LoopbackHttpServer([.. "BZh91AY&SY"u8.ToArray(), .. new byte[600]]);
        var (p, lockPath, before) = Project(server.Origin + "/google/nnlm-es-dim50-with-normalization/2");
        using (p)
        {
            var error = Assert.Throws<LmevException>(() => p.Flow().Run("model"));
            Assert.Contains("bzip2, not gzip", error.Message);
            Assert.Equal(before, File.ReadAllBytes(lockPath));
        }
    }

    /// <summary><paramref name="data"/> as consecutive gzip members cut at <paramref name="cuts"/>.</summary>
    private static byte[] Members(byte[] data, params int[] cuts)
    {
        var output = new MemoryStream();
        var bounds = new[] { 0 }.Concat(cuts).Append(data.Length).ToArray();
        for (var i = 0; i + 1 < bounds.Length; i++)
        {
            using var member = new MemoryStream();
            using (var gz = new GZipStream(member, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data, bounds[i], bounds[i + 1] - bounds[i]);
            output.Write(member.ToArray());
        }
        return output.ToArray();
    }
}
