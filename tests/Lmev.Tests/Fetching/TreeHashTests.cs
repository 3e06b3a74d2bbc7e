using Lmev.Pipeline;

namespace Lmev.Tests.Fetching;

public sealed class TreeHashTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lmev-tree-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Is_the_sha256_of_sorted_path_and_file_hash_lines()
    {
        Directory.CreateDirectory(Path.Combine(_root, "variables"));
        Directory.CreateDirectory(Path.Combine(_root, "assets")); // empty folders do not count
        File.WriteAllText(Path.Combine(_root, "saved_model.pb"), "graph");
        File.WriteAllText(Path.Combine(_root, "variables", "variables.index"), "index");
        File.WriteAllText(Path.Combine(_root, ".hidden"), "dot");

        var expected = Hashing.Sha256Hex(
            $".hidden\0{Hashing.Sha256Hex("dot")}\n" +
            $"saved_model.pb\0{Hashing.Sha256Hex("graph")}\n" +
            $"variables/variables.index\0{Hashing.Sha256Hex("index")}\n");

        Assert.Equal(expected, Hashing.Sha256OfTree(_root));
    }

    [Fact]
    public void Changes_when_a_file_is_renamed()
    {
        File.WriteAllText(Path.Combine(_root, "a"), "x");
        var before = Hashing.Sha256OfTree(_root);
        File.Move(Path.Combine(_root, "a"), Path.Combine(_root, "b"));

        Assert.NotEqual(before, Hashing.Sha256OfTree(_root));
    }

    [Fact]
    public void Refuses_a_symbolic_link_naming_it()
    {
        File.WriteAllText(Path.Combine(_root, "saved_model.pb"), "graph");
        File.CreateSymbolicLink(Path.Combine(_root, "linked.pb"), Path.Combine(_root, "saved_model.pb"));

        var e = Assert.Throws<LmevException>(() => Hashing.Sha256OfTree(_root));

        Assert.Contains("'linked.pb' is a symbolic link", e.Message);
    }
}
