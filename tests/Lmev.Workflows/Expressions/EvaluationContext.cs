using System.Text.Json.Nodes;

namespace Lmev.Workflows.Expressions;

/// <summary>
/// The contexts an expression reads (github, env, vars, inputs, runner, secrets, job, steps, needs, strategy, matrix), the
/// folder hashFiles() globs in, and the job's status for success()/failure(). A context a place cannot see is absent: using it
/// is an error naming it.
/// </summary>
public sealed class EvaluationContext
{
    private readonly Dictionary<string, JsonNode?> _contexts = new(StringComparer.OrdinalIgnoreCase);

    public EvaluationContext(string workspace) => Workspace = workspace;

    /// <summary>Where hashFiles() looks (the job's workspace).</summary>
    public string Workspace { get; }

    /// <summary>Whether a step of the job has failed so far (success(), failure()).</summary>
    public bool JobFailed { get; set; }

    public EvaluationContext With(string name, JsonNode? value)
    {
        _contexts[name] = value;
        return this;
    }

    public JsonNode? Lookup(string name) => _contexts.TryGetValue(name, out var value)
        ? value
        : throw new WorkflowException($"the context '{name}' is not available here (known: {string.Join(", ", _contexts.Keys.Order(StringComparer.Ordinal))})");

    /// <summary>A copy with the same contexts, for a job or a step to add its own.</summary>
    public EvaluationContext Clone()
    {
        var copy = new EvaluationContext(Workspace) { JobFailed = JobFailed };
        foreach (var (name, value) in _contexts) copy._contexts[name] = value?.DeepClone();
        return copy;
    }

    /// <summary>The same contexts with another workspace (a job's, once its runner is known).</summary>
    public EvaluationContext At(string workspace)
    {
        var copy = new EvaluationContext(workspace) { JobFailed = JobFailed };
        foreach (var (name, value) in _contexts) copy._contexts[name] = value?.DeepClone();
        return copy;
    }
}
