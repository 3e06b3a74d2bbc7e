namespace Lmev.Tests.Support;

/// <summary>
/// The team's real data in ../shared/data beside the repository. A user's clone does not have it:
/// tests that need it skip with a message.
/// </summary>
public static class SharedData
{
    public static string? Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "lmev.slnx")))
                {
                    var shared = Path.Combine(dir.Parent?.FullName ?? "", "shared", "data");
                    return Directory.Exists(shared) ? shared : null;
                }
            return null;
        }
    }

    /// <summary>Path of a file in ../shared/data, or a skip naming what is missing.</summary>
    public static string Require(string file)
    {
        var path = Folder is { } f ? Path.Combine(f, file) : null;
        Skip.If(path is null || !File.Exists(path), $"../shared/data/{file} is not present (only the team's machines have it); skipping");
        return path!;
    }
}
