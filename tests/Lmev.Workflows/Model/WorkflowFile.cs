using YamlDotNet.RepresentationModel;

namespace Lmev.Workflows.Model;

/// <summary>
/// A workflow file as the harness runs it: its dispatch inputs, env and jobs. Keys this harness does not model (a job's
/// <c>container</c> or <c>services</c>, a step's <c>continue-on-error</c>…) are refused naming them, so that a workflow never
/// runs here differently from a runner without it being said.
/// </summary>
public sealed record WorkflowFile(string Path, string Name, IReadOnlyDictionary<string, string?> InputDefaults,
    IReadOnlyList<(string Name, string Value)> Env, IReadOnlyList<Job> Jobs)
{
    private static readonly HashSet<string> TopKeys = ["name", "on", "permissions", "env", "jobs", "concurrency", "run-name"];
    private static readonly HashSet<string> JobKeys = ["name", "needs", "runs-on", "timeout-minutes", "outputs", "strategy", "env", "steps", "if", "permissions"];
    private static readonly HashSet<string> StepKeys = ["name", "id", "uses", "with", "run", "env", "if", "shell", "working-directory", "timeout-minutes"];

    public static WorkflowFile Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        Refuse(root, TopKeys, path);
        var inputs = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (At(At(At(root, "on"), "workflow_dispatch"), "inputs") is YamlMappingNode declared)
            foreach (var (name, spec) in declared.Children)
                inputs[Scalar(name)!] = Scalar(At(spec, "default"));
        var jobs = ((YamlMappingNode)(At(root, "jobs") ?? throw new WorkflowException($"{path}: no jobs"))).Children
            .Select(j => ReadJob(Scalar(j.Key)!, (YamlMappingNode)j.Value, path)).ToList();
        return new WorkflowFile(path, Scalar(At(root, "name")) ?? System.IO.Path.GetFileNameWithoutExtension(path), inputs, Pairs(At(root, "env")), jobs);
    }

    private static Job ReadJob(string id, YamlMappingNode node, string path)
    {
        Refuse(node, JobKeys, $"{path}, job {id}");
        var needs = At(node, "needs") switch
        {
            YamlSequenceNode s => s.Children.Select(n => Scalar(n)!).ToList(),
            YamlScalarNode s => [s.Value!],
            _ => new List<string>(),
        };
        var runsOn = At(node, "runs-on") switch
        {
            YamlSequenceNode s => s.Children.Select(n => Scalar(n)!).ToList(),
            YamlScalarNode s => [s.Value!],
            _ => throw new WorkflowException($"{path}, job {id}: no runs-on"),
        };
        var strategy = At(node, "strategy");
        var matrix = At(strategy, "matrix") is YamlMappingNode m ? m.Children.Select(p => (Scalar(p.Key)!, p.Value)).ToList() : null;
        if (matrix?.Any(k => k.Item1 is "include" or "exclude") == true)
            throw new WorkflowException($"{path}, job {id}: matrix include/exclude is not modelled by this harness");
        var steps = ((YamlSequenceNode)(At(node, "steps") ?? throw new WorkflowException($"{path}, job {id}: no steps"))).Children
            .Select((s, i) => ReadStep((YamlMappingNode)s, $"{path}, job {id}, step {i + 1}")).ToList();
        return new Job(id, Scalar(At(node, "name")), needs, runsOn, Pairs(At(node, "env")), Pairs(At(node, "outputs")),
            matrix?.Select(k => (k.Item1, Matrix: k.Value)).ToList(), Scalar(At(strategy, "fail-fast")) != "false",
            int.TryParse(Scalar(At(node, "timeout-minutes")), out var t) ? t : 360, Scalar(At(node, "if")), steps);
    }

    private static Step ReadStep(YamlMappingNode node, string where)
    {
        Refuse(node, StepKeys, where);
        var step = new Step(Scalar(At(node, "id")), Scalar(At(node, "name")), Scalar(At(node, "uses")), Pairs(At(node, "with")),
            Scalar(At(node, "run")), Pairs(At(node, "env")), Scalar(At(node, "if")), Scalar(At(node, "shell")), Scalar(At(node, "working-directory")),
            int.TryParse(Scalar(At(node, "timeout-minutes")), out var t) ? t : null);
        if ((step.Uses is null) == (step.Run is null)) throw new WorkflowException($"{where}: a step has either 'uses' or 'run'");
        return step;
    }

    private static void Refuse(YamlMappingNode node, HashSet<string> known, string where)
    {
        foreach (var key in node.Children.Keys.Select(k => Scalar(k)!))
            if (!known.Contains(key)) throw new WorkflowException($"{where}: '{key}' is not modelled by this harness (it models: {string.Join(", ", known)})");
    }

    private static YamlNode? At(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    /// <summary>A mapping of scalars in file order (env, with, outputs); values keep their ${{ }} for later.</summary>
    private static List<(string, string)> Pairs(YamlNode? node) =>
        node is YamlMappingNode map ? map.Children.Select(p => (Scalar(p.Key)!, Scalar(p.Value) ?? "")).ToList() : [];
}

/// <summary>A job: its needs, the runner labels it asks for, env, outputs, matrix (each key with its YAML value) and steps.</summary>
public sealed record Job(string Id, string? Name, IReadOnlyList<string> Needs, IReadOnlyList<string> RunsOn,
    IReadOnlyList<(string Name, string Value)> Env, IReadOnlyList<(string Name, string Value)> Outputs,
    IReadOnlyList<(string Key, YamlNode Values)>? Matrix, bool FailFast, int TimeoutMinutes, string? If, IReadOnlyList<Step> Steps);

/// <summary>A step: an action (<see cref="Uses"/> with its <see cref="With"/>) or a script (<see cref="Run"/>).</summary>
public sealed record Step(string? Id, string? Name, string? Uses, IReadOnlyList<(string Name, string Value)> With, string? Run,
    IReadOnlyList<(string Name, string Value)> Env, string? If, string? Shell, string? WorkingDirectory, int? TimeoutMinutes)
{
    /// <summary>How the log names the step: its name, else its action, else its script's first line.</summary>
    public string Title => Name ?? (Uses is not null ? $"uses {Uses}" : $"run {Run!.Split('\n')[0]}");
}
