namespace Lmev.Workflows.Execution;

/// <summary>
/// The machines jobs run on, as folders under the harness's root. Self-hosted runners (<c>runner-1</c> … <c>runner-N</c>, labelled
/// self-hosted, linux, x64, gpu) keep their folder between jobs and between workflow runs, as a real one does: its workspace
/// <c>_work/&lt;repo&gt;/&lt;repo&gt;</c> (cleaned by checkout), what lies beside it, and an optional <c>.env</c> of variables every
/// job on it sees. A job asking for a GitHub-hosted image (<c>ubuntu-latest</c>) gets a fresh folder of its own, as a fresh VM.
/// Jobs are given to the self-hosted runners in turn, in the order they start, so the same workflow lands the same way again.
/// </summary>
public sealed class RunnerPool(string root, int count)
{
    public static readonly string[] SelfHostedLabels = ["self-hosted", "linux", "x64", "gpu"];
    private int _next;

    public Runner Assign(IReadOnlyList<string> runsOn, string runFolder, string jobKey)
    {
        if (runsOn.Contains("self-hosted", StringComparer.OrdinalIgnoreCase))
        {
            var missing = runsOn.Where(l => !SelfHostedLabels.Contains(l, StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0) throw new WorkflowException($"no runner here has the labels {string.Join(", ", missing)} (runners: {string.Join(", ", SelfHostedLabels)})");
            var name = $"runner-{_next++ % count + 1}";
            return new Runner(name, Path.Combine(root, name), SelfHostedLabels, Hosted: false);
        }
        if (runsOn.Count == 1 && runsOn[0].StartsWith("ubuntu-", StringComparison.Ordinal))
            return new Runner($"hosted {runsOn[0]}", Path.Combine(runFolder, $"hosted-{jobKey}"), runsOn, Hosted: true);
        throw new WorkflowException($"runs-on [{string.Join(", ", runsOn)}]: no runner here has these labels");
    }
}

/// <summary>A runner's folder: <c>_work/</c> (workspaces and what a workflow keeps beside them), <c>_work/_temp</c>, <c>.env</c>.</summary>
public sealed record Runner(string Name, string Folder, IReadOnlyList<string> Labels, bool Hosted)
{
    /// <summary><c>runner.workspace</c>: the folder holding the repository's checkout (<c>_work/&lt;repo&gt;</c>).</summary>
    public string RepositoryFolder(string repo) => Path.Combine(Folder, "_work", repo);

    /// <summary><c>github.workspace</c>: the checkout (<c>_work/&lt;repo&gt;/&lt;repo&gt;</c>).</summary>
    public string Workspace(string repo) => Path.Combine(RepositoryFolder(repo), repo);

    /// <summary><c>runner.temp</c>, emptied before each job.</summary>
    public string Temp => Path.Combine(Folder, "_work", "_temp");

    /// <summary>A self-hosted runner's <c>.env</c>: KEY=VALUE lines every job on it sees (how an admin sets LMEV_CACHE for a machine).</summary>
    public IEnumerable<(string Name, string Value)> DotEnv()
    {
        var file = Path.Combine(Folder, ".env");
        if (!File.Exists(file)) yield break;
        foreach (var line in File.ReadAllLines(file))
        {
            var eq = line.IndexOf('=');
            if (eq > 0 && !line.TrimStart().StartsWith('#')) yield return (line[..eq].Trim(), line[(eq + 1)..]);
        }
    }
}
