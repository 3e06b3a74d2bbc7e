namespace Lmev.Pipeline;

/// <summary>
/// The commit a folder's checkout is at, read from git's own files the way <c>git rev-parse HEAD</c> resolves it: <c>HEAD</c>,
/// then the branch it names as a loose ref or in <c>packed-refs</c>; a worktree's or submodule's <c>.git</c> file
/// (<c>gitdir:</c>, <c>commondir</c>) is followed. Reading it starts no process and writes nothing, so `lmev status` and the
/// other read-only commands stay read-only. Hand-written in a few lines: LibGit2Sharp would bring a native library for this
/// one lookup; a test compares it with git's answer for a clone, packed refs, a detached HEAD and a worktree.
/// </summary>
public static class GitHead
{
    /// <summary>The 40-hex commit of the checkout holding <paramref name="folder"/>, or null (not in a checkout, or a ref store it cannot read).</summary>
    public static string? Commit(string folder)
    {
        if (FindGitDir(Path.GetFullPath(folder)) is not { } gitDir) return null;
        var common = File.Exists(Path.Combine(gitDir, "commondir"))
            ? Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(Path.Combine(gitDir, "commondir")).Trim()))
            : gitDir;
        var head = ReadTrimmed(Path.Combine(gitDir, "HEAD"));
        for (var depth = 0; head is not null && depth < 5; depth++)
        {
            if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return IsHash(head) ? head : null;
            var name = head[5..].Trim();
            // A branch lives in the common folder; HEAD-like and per-worktree refs in the worktree's own.
            head = ReadTrimmed(Path.Combine(gitDir, name)) ?? ReadTrimmed(Path.Combine(common, name)) ?? Packed(common, name);
        }
        return null;
    }

    /// <summary>The first 12 hex digits of <see cref="Commit"/>, or "unknown" outside a checkout.</summary>
    public static string Short(string folder) => Commit(folder) is { } c ? c[..12] : "unknown";

    private static string? FindGitDir(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            var dotGit = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(dotGit)) return dotGit;
            if (File.Exists(dotGit))
            {
                var line = File.ReadAllText(dotGit).Trim();
                return line.StartsWith("gitdir:", StringComparison.Ordinal) ? Path.GetFullPath(Path.Combine(dir.FullName, line[7..].Trim())) : null;
            }
        }
        return null;
    }

    /// <summary>A ref from <c>packed-refs</c>: lines of "HASH NAME", comments (#) and peeled tags (^) aside.</summary>
    private static string? Packed(string common, string name)
    {
        var path = Path.Combine(common, "packed-refs");
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith('#') || line.StartsWith('^')) continue;
            var space = line.IndexOf(' ');
            if (space > 0 && line[(space + 1)..] == name) return line[..space];
        }
        return null;
    }

    private static string? ReadTrimmed(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    private static bool IsHash(string s) => s.Length is 40 or 64 && s.All(char.IsAsciiHexDigitLower);
}
