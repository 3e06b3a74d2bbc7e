namespace Lmev.Workflows.Execution;

/// <summary>
/// One run of a workflow by the harness, and the folders it shares with the runs before it under <see cref="Root"/>:
/// <c>origin.git</c> (a bare repository standing for the GitHub repository: the commit under test is pushed to its branch, and a
/// workflow's own <c>git push</c> lands there), <c>runner-N/</c> (the self-hosted runners), <c>actions-cache/</c> (actions/cache's
/// store), <c>bin/gh</c> (a GitHub CLI that records its arguments in <c>gh-calls.log</c>), and <c>runs/&lt;id&gt;/</c> with this
/// run's artifacts, each job's log and environment, and <c>summary.txt</c>.
/// </summary>
public sealed class HarnessRun
{
    public HarnessRun(string root, string repository, string branch)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        Repository = Path.GetFileName(Path.GetFullPath(repository).TrimEnd('/'));
        Branch = branch;
        Origin = Path.Combine(Root, "origin.git");
        if (!Directory.Exists(Origin)) StepProcess.Quiet("git", Root, "init", "-q", "--bare", Origin);
        Commit = StepProcess.Quiet("git", repository, "rev-parse", "HEAD").Trim();
        StepProcess.Quiet("git", repository, "push", "-q", "--force", Origin, $"{Commit}:refs/heads/{branch}");
        var runs = Path.Combine(Root, "runs");
        Directory.CreateDirectory(runs);
        Id = Directory.EnumerateDirectories(runs).Select(d => int.TryParse(Path.GetFileName(d), out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1;
        Folder = Path.Combine(runs, Id.ToString());
        Directory.CreateDirectory(Artifacts);
        Directory.CreateDirectory(Logs);
        WriteGh();
    }

    public string Root { get; }

    /// <summary>The repository's name (the checkout folder's name, as GitHub names <c>_work/&lt;repo&gt;/&lt;repo&gt;</c>).</summary>
    public string Repository { get; }

    public string Branch { get; }

    public string Origin { get; }

    /// <summary>The commit under test: the given repository's HEAD, pushed to origin's branch.</summary>
    public string Commit { get; }

    /// <summary>GITHUB_RUN_ID: one more than the last run under <see cref="Root"/>.</summary>
    public int Id { get; }

    public string Folder { get; }

    public string Artifacts => Path.Combine(Folder, "artifacts");

    public string Logs => Path.Combine(Folder, "logs");

    public string ActionsCache => Path.Combine(Root, "actions-cache");

    public string Bin => Path.Combine(Root, "bin");

    public string GhCalls => Path.Combine(Root, "gh-calls.log");

    /// <summary>A `gh` that records its arguments (one line per call) and answers as `gh pr create` does.</summary>
    private void WriteGh()
    {
        Directory.CreateDirectory(Bin);
        var gh = Path.Combine(Bin, "gh");
        // Each argument single-quoted, so that the record shows where one ends (a title with spaces is one argument).
        File.WriteAllText(gh, "#!/bin/sh\n# lmev-actions: a GitHub CLI that records its calls\n" +
            "line=gh; for a in \"$@\"; do line=\"$line '$a'\"; done\n" +
            $"printf '%s\\n' \"$line\" >> '{GhCalls}'\necho \"(lmev-actions) recorded: $line\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(gh, (UnixFileMode)0b111_101_101);
    }
}
