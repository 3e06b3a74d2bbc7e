namespace Lmev.Tests.Support;

/// <summary>
/// The team's real data at <c>../shared/data</c> beside the repository root (the folder holding
/// lmev.slnx). A user's clone has none: tests that need it skip with a message.
/// </summary>
public static class SharedData
{
    public static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "lmev.slnx"))) return dir.FullName;
        return null;
    }

    /// <summary>The file's path, or a skip naming where it was looked for.</summary>
    public static string Require(string file)
    {
        var root = RepoRoot();
        var path = root is null ? null : Path.GetFullPath(Path.Combine(root, "..", "shared", "data", file));
        Skip.If(path is null || !File.Exists(path), $"{file} not found at {path ?? "../shared/data (no lmev.slnx above the test folder)"}; these tests need the team's shared data");
        return path!;
    }
}
