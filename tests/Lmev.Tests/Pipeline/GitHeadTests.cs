using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>GitHead reads the commit from .git as `git rev-parse HEAD` resolves it, without starting git.</summary>
public sealed class GitHeadTests
{
    [Fact]
    public void The_commit_read_from_git_files_is_the_one_git_names()
    {
        using var dir = new TempDir();
        var repo = Path.Combine(dir.Path, "repo");
        Directory.CreateDirectory(Path.Combine(repo, "sub"));
        Assert.Null(GitHead.Commit(repo)); // not a checkout (the temp folder is in none)
        Assert.Equal("unknown", GitHead.Short(repo));
        Git(repo, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(repo, "a.txt"), "a");
        Commit(repo, "one");
        Assert.Equal(RevParse(repo), GitHead.Commit(repo)); // a loose ref
        Assert.Equal(RevParse(repo), GitHead.Commit(Path.Combine(repo, "sub"))); // from a folder inside
        Assert.Equal(RevParse(repo)[..12], GitHead.Short(repo));

        Git(repo, "pack-refs", "--all");
        Assert.False(File.Exists(Path.Combine(repo, ".git", "refs", "heads", "main")));
        Assert.Equal(RevParse(repo), GitHead.Commit(repo)); // packed-refs

        File.WriteAllText(Path.Combine(repo, "a.txt"), "b");
        Commit(repo, "two");
        var worktree = Path.Combine(dir.Path, "wt");
        Git(repo, "worktree", "add", "-q", "-b", "other", worktree);
        File.WriteAllText(Path.Combine(worktree, "a.txt"), "c");
        Commit(worktree, "three");
        Assert.Equal(RevParse(worktree), GitHead.Commit(worktree)); // a worktree's .git file, its branch in the common folder
        Assert.NotEqual(GitHead.Commit(repo), GitHead.Commit(worktree));

        Git(repo, "checkout", "-q", "--detach", "HEAD~1");
        Assert.Equal(RevParse(repo), GitHead.Commit(repo)); // a detached HEAD

        if (SharedData.RepoRoot() is { } root && Directory.Exists(Path.Combine(root, ".git")))
            Assert.Equal(RevParse(root), GitHead.Commit(root)); // this checkout
    }

    private static void Commit(string repo, string message)
    {
        Git(repo, "add", "-A");
        Git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message);
    }

    private static string RevParse(string dir)
    {
        var (code, said) = Os.Run("git", "-C", dir, "rev-parse", "HEAD");
        Assert.Equal(0, code);
        return said.Trim();
    }

    private static void Git(string dir, params string[] args)
    {
        var (code, said) = Os.Run("git", ["-C", dir, .. args]);
        Assert.True(code == 0, $"git {string.Join(' ', args)}: {said}");
    }
}
