using System.Security.Cryptography;

namespace Lmev.Pipeline;

/// <summary>SHA-256 helpers; every hash in lmev is lower-case hex SHA-256.</summary>
public static class Hashing
{
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Sha256Hex(string text) => Sha256Hex(System.Text.Encoding.UTF8.GetBytes(text));

    public static string Sha256OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Every file and folder below a folder, hidden ones (dot files on Unix) included.</summary>
    internal static readonly EnumerationOptions EveryFile = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
    };

    /// <summary>
    /// The hash of a folder's content, for a source pinned as a folder: SHA-256 over the lines
    /// <c>relative/path\0&lt;sha256 of the file&gt;\n</c> of every regular file below it, sorted by
    /// path (ordinal, '/' separators), so that it depends on names and bytes only, not on
    /// timestamps, modes or the order the file system lists them in. Empty folders do not count.
    /// A symbolic link is refused: what it points to may change without the folder changing.
    /// </summary>
    public static string Sha256OfTree(string directory)
    {
        var root = new DirectoryInfo(directory);
        if (!root.Exists) throw new LmevException($"{directory}: folder not found; expected a folder to hash");
        var lines = new List<string>();
        foreach (var entry in root.EnumerateFileSystemInfos("*", EveryFile))
        {
            var relative = Path.GetRelativePath(root.FullName, entry.FullName).Replace('\\', '/');
            if (entry.LinkTarget is { } target)
                throw new LmevException($"{directory}: '{relative}' is a symbolic link (to {target}); a pinned folder may hold only " +
                    "regular files and folders. Replace the link with a copy of what it points to.");
            if (entry is FileInfo) lines.Add($"{relative}\0{Sha256OfFile(entry.FullName)}\n");
        }
        lines.Sort(StringComparer.Ordinal);
        return Sha256Hex(string.Concat(lines));
    }
}
