using System.Formats.Tar;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Tests.Support;
using static Lmev.Tests.Fetching.TestTarballs;

namespace Lmev.Tests.Fetching;

public sealed class SafeTarExtractorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lmev-untar-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Destination => Path.Combine(_root, "extracted");

    private string Write(byte[] tarball, string file = "model.tar.gz")
    {
        var path = Path.Combine(_root, file);
        System.IO.File.WriteAllBytes(path, tarball);
        return path;
    }

    /// <summary>Extracting fails naming the archive and <paramref name="entry"/>, and leaves no trace beside the archive.</summary>
    private LmevException AssertRefused(byte[] tarball, string entry, string why, long? bound = null)
    {
        var archive = Write(tarball);
        var e = Assert.Throws<LmevException>(() => SafeTarExtractor.Extract(archive, Destination, "'model' from a test", bound));
        Assert.Contains(archive, e.Message);
        Assert.Contains($"'{entry}'", e.Message);
        Assert.Contains(why, e.Message);
        Assert.False(Directory.Exists(Destination));
        Assert.Equal([archive], Directory.GetFileSystemEntries(_root)); // no staging folder left behind
        return e;
    }

    private static string Fixture()
    {
        var root = SharedData.RepoRoot();
        var path = root is null ? null : Path.GetFullPath(Path.Combine(root, "..", "shared", "fixtures", "tfhub", "half_plus_two_v1.tar.gz"));
        Skip.If(path is null || !System.IO.File.Exists(path), $"half_plus_two_v1.tar.gz not found at {path ?? "../shared/fixtures/tfhub"}; this test needs the team's shared fixtures");
        return path!;
    }

    [SkippableFact]
    public void Extracts_the_real_tf_hub_fixture_with_its_sticky_folders_and_foreign_owners()
    {
        SafeTarExtractor.Extract(Fixture(), Destination, "half_plus_two_v1");

        Assert.Equal(2, new FileInfo(Path.Combine(Destination, "tfhub_module.pb")).Length);
        Assert.Equal(4459, new FileInfo(Path.Combine(Destination, "saved_model.pb")).Length);
        Assert.Equal(134, new FileInfo(Path.Combine(Destination, "variables", "variables.index")).Length);
        Assert.Equal(8, new FileInfo(Path.Combine(Destination, "variables", "variables.data-00000-of-00001")).Length);
        Assert.True(Directory.Exists(Path.Combine(Destination, "assets")));
    }

    [Fact]
    public void Normalises_dot_slash_names()
    {
        SafeTarExtractor.Extract(Write(Model()), Destination, "model");

        Assert.Equal("index", System.IO.File.ReadAllText(Path.Combine(Destination, "variables", "variables.index")));
        Assert.Equal(["saved_model.pb", "variables"], Directory.GetFileSystemEntries(Destination).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Refuses_a_dot_dot_name() =>
        AssertRefused(Build(File("saved_model.pb", "graph"), File("../escape", "x")), "../escape", "'..'");

    [Fact]
    public void Refuses_a_dot_dot_inside_a_name() =>
        AssertRefused(Build(File("variables/../../escape", "x")), "variables/../../escape", "'..'");

    [Fact]
    public void Refuses_an_absolute_path() =>
        AssertRefused(Build(File("/abs/path", "x")), "/abs/path", "absolute path");

    [Fact]
    public void Refuses_a_symbolic_link() =>
        AssertRefused(Build(File("saved_model.pb", "graph"), Link(TarEntryType.SymbolicLink, "variables", "/etc")), "variables", "symbolic link to '/etc'");

    [Fact]
    public void Refuses_a_hard_link() =>
        AssertRefused(Build(File("saved_model.pb", "graph"), Link(TarEntryType.HardLink, "copy.pb", "saved_model.pb")), "copy.pb", "hard link");

    [Fact]
    public void Refuses_a_character_device() =>
        AssertRefused(Build(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3 }), "dev/null", "character device");

    [Fact]
    public void Refuses_a_fifo() =>
        AssertRefused(Build(new PaxTarEntry(TarEntryType.Fifo, "pipe")), "pipe", "FIFO");

    [Fact]
    public void Refuses_a_bomb_past_an_explicit_bound()
    {
        var bomb = Build(File("saved_model.pb", "graph"), File("zeros.bin", new byte[100_000_000]));
        Assert.True(bomb.Length < 1_000_000, $"the bomb is {bomb.Length} bytes compressed");

        AssertRefused(bomb, "zeros.bin", "past the bound of 1,048,576 bytes", bound: 1 << 20);
    }

    [Fact]
    public void The_default_bound_is_twenty_times_the_archive_and_at_least_64_MiB()
    {
        Assert.Equal(64L << 20, SafeTarExtractor.DefaultBound(1365));
        Assert.Equal(20L << 30, SafeTarExtractor.DefaultBound(1L << 30));
        AssertRefused(Build(File("zeros.bin", new byte[70 << 20])), "zeros.bin", "past the bound of 67,108,864 bytes");
    }

    [Fact]
    public void Refuses_a_tarball_cut_in_half_naming_the_entry_it_ends_in()
    {
        var whole = Build(File("saved_model.pb", Random(100_000, seed: 1)), File("variables/variables.data-00000-of-00001", Random(200_000, seed: 2)));

        var e = AssertRefused(whole[..(whole.Length / 2)], "variables/variables.data-00000-of-00001", "ends early inside entry");

        Assert.Contains("fetch it again", e.Message);
    }

    [Fact]
    public void Refuses_a_tarball_cut_in_its_gzip_trailer()
    {
        var whole = Model();
        var archive = Write(whole[..^3]);

        var e = Assert.Throws<LmevException>(() => SafeTarExtractor.Extract(archive, Destination, "model"));

        Assert.Contains("ends early", e.Message);
        Assert.Contains(archive, e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Refuses_a_file_that_is_not_gzip()
    {
        var archive = Write("<!DOCTYPE html><html></html>"u8.ToArray());

        var e = Assert.Throws<LmevException>(() => SafeTarExtractor.Extract(archive, Destination, "model"));

        Assert.Contains($"{archive} (model): is neither gzip", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Never_merges_into_a_folder_that_holds_files()
    {
        Directory.CreateDirectory(Destination);
        System.IO.File.WriteAllText(Path.Combine(Destination, "keep.txt"), "mine");

        var e = Assert.Throws<LmevException>(() => SafeTarExtractor.Extract(Write(Model()), Destination, "model"));

        Assert.Contains("not empty", e.Message);
        Assert.Equal("mine", System.IO.File.ReadAllText(Path.Combine(Destination, "keep.txt")));
    }
}
