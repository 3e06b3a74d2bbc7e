using Lmev.Pipeline;

namespace Lmev.Tests.Support;

/// <summary>Runs one stage on files made by the test, through the real cache.</summary>
public static class StageRunner
{
    public static Artifact FileArtifact(string path) =>
        new("test", "input", Path.GetFileName(path), Hashing.Sha256OfFile(path), new FileInfo(path).Length, path);

    public static (Manifest Manifest, List<string> Log) Run(IStage stage, string cacheRoot)
    {
        var log = new List<string>();
        var manifest = new StageCache(cacheRoot).Run(stage, "test", force: false, log.Add);
        return (manifest, log);
    }
}
