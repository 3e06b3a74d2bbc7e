using System.Formats.Tar;
using System.IO.Compression;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>Real TensorFlow output in <c>../shared/fixtures</c> beside the repository root; tests skip when it is absent.</summary>
public static class TensorFlowFixtures
{
    public static string Require(string relative)
    {
        var root = SharedData.RepoRoot();
        var path = root is null ? null : Path.GetFullPath(Path.Combine(root, "..", "shared", "fixtures", relative));
        Skip.If(path is null || !(File.Exists(path) || File.Exists(path + ".index") || Directory.Exists(path)),
            $"{relative} not found at {path ?? "../shared/fixtures (no lmev.slnx above the test folder)"}; these tests need the team's shared fixtures");
        return path!;
    }

    /// <summary>Extracts a .tar.gz (a TF-Hub compressed module) into <paramref name="into"/>.</summary>
    public static void ExtractTarGz(string archive, string into)
    {
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        TarFile.ExtractToDirectory(gzip, into, overwriteFiles: true);
    }
}
