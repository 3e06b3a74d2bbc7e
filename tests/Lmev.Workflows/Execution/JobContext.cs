namespace Lmev.Workflows.Execution;

/// <summary>A job while it runs: its runner and workspace, its log, and what runs after its steps (actions' post steps).</summary>
public sealed class JobContext(string key, Runner runner, string workspace, TextWriter log)
{
    private readonly List<Action> _post = [];

    /// <summary>The job's name in logs and folders: its id, with its matrix values (<c>train (r16)</c>).</summary>
    public string Key => key;

    public Runner Runner => runner;

    public string Workspace => workspace;

    public TextWriter Log => log;

    /// <summary>A line of the harness's own about this job (what an action did, a substitution), shown and logged.</summary>
    public void Say(string line)
    {
        Console.WriteLine($"    · {line}");
        log.WriteLine($"(lmev-actions) {line}");
    }

    /// <summary>Registers a post-job step (run in reverse order after the steps, as the runner does).</summary>
    public void AfterJob(Action action) => _post.Add(action);

    public IEnumerable<Action> PostSteps => Enumerable.Reverse(_post);
}
