using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Tests.Download;
using Lmev.Models.TensorFlow;

namespace Lmev.Tests.Fetching;

public sealed class ModelArchiveTests : IDisposable
{
    private const string Name = "nnlm-es-dim50";
    private static readonly FetchOptions Fast = new(MaxAttempts: 2, InitialBackoff: TimeSpan.FromMilliseconds(5), Timeout: TimeSpan.FromSeconds(5));

    private readonly string _root = Directory.CreateTempSubdirectory("lmev-model-").FullName;
    private readonly List<string> _log = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Work => Path.Combine(_root, "work");

    private PreparedModel Prepare(LockedSource source, FetchOptions? options = null) =>
        ModelArchive.Prepare(Name, source, new SourceFetcher(_root, new FileHashIndex(Path.Combine(_root, "hashes.json")), _log.Add, options ?? Fast),
            Work, Path.Combine(_root, "partial"));

    /// <summary>A SavedModel folder as a person would unpack it by hand.</summary>
    private string ModelFolder(string relative = "models/nnlm")
    {
        var folder = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.Combine(folder, "variables"));
        File.WriteAllText(Path.Combine(folder, "saved_model.pb"), "graph");
        File.WriteAllText(Path.Combine(folder, "variables", "variables.index"), "index");
        return folder;
    }

    [Fact]
    public void An_http_tarball_behind_a_redirect_is_fetched_extracted_and_deleted()
    {
        var tarball = TestTarballs.Model();
        using var files = new LoopbackHttpServer(tarball);
        using var hub = new LoopbackHttpServer([]) { Reply = _ => ServerReply.Redirect(files.Url) };
        var lockUrl = hub.Url + "?tf-hub-format=compressed";

        var model = Prepare(new LockedSource(lockUrl, Format: "tar.gz"));

        Assert.Equal(Path.Combine(Work, ModelArchive.ExtractedFolder), model.Directory);
        Assert.Equal("graph", File.ReadAllText(Path.Combine(model.Directory, "saved_model.pb")));
        Assert.Equal(new LockedSource(lockUrl, Hashing.Sha256Hex(tarball), tarball.Length, "tar.gz"), model.Verified);
        Assert.Equal(files.Url, model.FinalUrl);
        Assert.True(model.Filled);
        Assert.False(File.Exists(Path.Combine(Work, ModelArchive.ArchiveFile)));
    }

    [Fact]
    public void A_local_tarball_is_verified_and_extracted_where_it_lies()
    {
        var tarball = TestTarballs.Model(topFolder: "nnlm-es-dim50");
        var path = Path.Combine(_root, "downloads", "nnlm.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, tarball);

        var model = Prepare(new LockedSource(new Uri(path).AbsoluteUri, Hashing.Sha256Hex(tarball), Format: "tar.gz"));

        // The archive's single top-level folder holds saved_model.pb: that folder is the model.
        Assert.Equal(Path.Combine(Work, ModelArchive.ExtractedFolder, "nnlm-es-dim50"), model.Directory);
        Assert.True(File.Exists(Path.Combine(model.Directory, "variables", "variables.index")));
        Assert.Null(model.FinalUrl);
        Assert.False(model.Filled); // the hash was pinned; only the empty size was filled
        Assert.Equal(tarball.Length, model.Verified.Size);
        Assert.True(File.Exists(path)); // not consumed
        Assert.False(File.Exists(Path.Combine(Work, ModelArchive.ArchiveFile))); // not copied
    }

    [Fact]
    public void A_local_tarball_with_the_wrong_hash_is_not_extracted()
    {
        File.WriteAllBytes(Path.Combine(_root, "nnlm.tar.gz"), TestTarballs.Model());
        var expected = Hashing.Sha256Hex("another model");

        var e = Assert.Throws<LmevException>(() => Prepare(new LockedSource("nnlm.tar.gz", expected, Format: "tar.gz")));

        Assert.Contains(expected, e.Message);
        Assert.Contains("Nothing was extracted", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Work, ModelArchive.ExtractedFolder)));
    }

    [Fact]
    public void A_folder_is_pinned_by_its_tree_hash_on_first_use_and_a_changed_file_is_a_mismatch()
    {
        var folder = ModelFolder();

        var first = Prepare(new LockedSource("models/nnlm", Format: ModelArchive.FolderFormat));

        Assert.Equal(folder, first.Directory); // used in place
        Assert.True(first.Filled);
        Assert.Equal(Hashing.Sha256OfTree(folder), first.Verified.Sha256);
        Assert.Equal(10, first.Verified.Size);
        Assert.False(Directory.Exists(Work));

        var again = Prepare(first.Verified);
        Assert.False(again.Filled);

        File.WriteAllText(Path.Combine(folder, "variables", "variables.index"), "INDEX");
        var e = Assert.Throws<LmevException>(() => Prepare(first.Verified));

        Assert.Contains(folder, e.Message);
        Assert.Contains("changed", e.Message);
        Assert.Contains(first.Verified.Sha256, e.Message);
        Assert.Contains(Hashing.Sha256OfTree(folder), e.Message);
    }

    [Fact]
    public void A_path_that_is_a_folder_is_taken_as_one_whatever_its_format()
    {
        var folder = ModelFolder();

        var model = Prepare(new LockedSource(new Uri(folder).AbsoluteUri, Format: "tar.gz"));

        Assert.Equal(folder, model.Directory);
        Assert.Equal(Hashing.Sha256OfTree(folder), model.Verified.Sha256);
    }

    [Fact]
    public void A_frozen_lock_refuses_a_folder_with_no_hash()
    {
        ModelFolder();

        var e = Assert.Throws<LmevException>(() => Prepare(new LockedSource("models/nnlm", Format: "dir"), Fast with { Locked = true }));

        Assert.Contains("--locked", e.Message);
    }

    [Fact]
    public void A_folder_without_a_model_fails_naming_what_it_holds()
    {
        Directory.CreateDirectory(Path.Combine(_root, "empty-ish"));
        File.WriteAllText(Path.Combine(_root, "empty-ish", "README.md"), "hi");

        var e = Assert.Throws<LmevException>(() => Prepare(new LockedSource("empty-ish", Format: "dir")));

        Assert.Contains("saved_model.pb or tfhub_module.pb", e.Message);
        Assert.Contains("README.md", e.Message);
    }
}
