using System.Text.Json;
using System.Text.RegularExpressions;
using Lmev.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Lmev.Tests.Pipeline;

/// <summary>.github/workflows: every `dotnet cake` call names a target and arguments that build.cake defines, and the study's matrix is the experiment's models.</summary>
public sealed partial class WorkflowTests
{
    private static string Root => SharedData.RepoRoot() ?? throw new InvalidOperationException($"no lmev.slnx above {AppContext.BaseDirectory}");

    [GeneratedRegex("""^Task\("(?<name>\w+)"\)""", RegexOptions.Multiline)]
    private static partial Regex CakeTask();

    [GeneratedRegex(@"dotnet\s+cake(?<args>(?:[ \t]+--[\w-]+(?:=[^\s]+)?)*)")]
    private static partial Regex CakeCall();

    private static YamlMappingNode Workflow(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, ".github", "workflows", file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode? At(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>Every step's <c>run:</c> script, as (job, script).</summary>
    private static IEnumerable<(string Job, string Script)> Scripts(YamlMappingNode workflow) =>
        ((YamlMappingNode)At(workflow, "jobs")!).Children.SelectMany(job =>
            ((YamlSequenceNode)At(job.Value, "steps")!).Children.Select(step => At(step, "run")).OfType<YamlScalarNode>()
                .Select(run => (((YamlScalarNode)job.Key).Value!, run.Value!)));

    [Theory]
    [InlineData("test.yml")]
    [InlineData("study.yml")]
    public void Every_dotnet_cake_call_names_a_target_and_arguments_that_build_cake_defines(string file)
    {
        var script = File.ReadAllText(Path.Combine(Root, "build.cake"));
        var tasks = CakeTask().Matches(script).Select(m => m.Groups["name"].Value).ToHashSet();
        // What `lmev check` lets through (build.cake's arguments and Cake's own; CakeCommandLineTests ties it to build/*.cake).
        var arguments = Lmev.Flow.SelectionArguments.CakeArguments.ToHashSet();
        var calls = Scripts(Workflow(file)).SelectMany(s => CakeCall().Matches(s.Script).Select(m => (s.Job, Call: m.Value, Args: m.Groups["args"].Value))).ToList();
        Assert.NotEmpty(calls);
        foreach (var (job, call, args) in calls)
        {
            var named = args.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)
                .Select(a => a[2..].Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "true");
            Assert.True(named.TryGetValue("target", out var target), $"{file}, job {job}: `{call}` names no --target");
            Assert.True(tasks.Contains(target), $"{file}, job {job}: `{call}`: build.cake has no task '{target}'; tasks: {string.Join(", ", tasks)}");
            foreach (var name in named.Keys)
                Assert.True(arguments.Contains(name), $"{file}, job {job}: `{call}`: build.cake reads no argument '--{name}' (`lmev check` would refuse it); arguments: {string.Join(", ", arguments)}");
        }
    }

    [Fact]
    public void The_study_trains_one_matrix_entry_per_model_listed_by_lmev_models_json()
    {
        var study = Workflow("study.yml");
        var jobs = (YamlMappingNode)At(study, "jobs")!;
        Assert.Equal(["prepare", "train", "report"], jobs.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        foreach (var job in jobs.Children.Values)
            Assert.Equal(["self-hosted", "linux", "gpu"], ((YamlSequenceNode)At(job, "runs-on")!).Children.Select(n => ((YamlScalarNode)n).Value));
        var matrix = At(At(At(jobs, "train")!, "strategy")!, "matrix")!;
        Assert.Equal("${{ fromJSON(needs.prepare.outputs.models) }}", ((YamlScalarNode)At(matrix, "model")!).Value);
        Assert.Contains(Scripts(study), s => s.Job == "prepare" && s.Script.Contains("models --experiment \"$EXPERIMENT\" --json"));
        Assert.Contains(Scripts(study), s => s.Job == "train" && s.Script.Contains("--model=${{ matrix.model }} --gpu=true --locked"));
        var input = At(At(At(At(study, "on")!, "workflow_dispatch")!, "inputs")!, "experiment")!;
        Assert.Equal("meli2019", ((YamlScalarNode)At(input, "default")!).Value);
    }

    [Fact]
    public void Lmev_models_json_lists_the_experiments_models()
    {
        using var p = new TestProject();
        p.AddQuickModels();
        var (code, output) = LmevProcess.Run(p, "models", "--experiment", "demo", "--json");
        Assert.True(code == 0, output);
        Assert.Equal(["r16", "r16-ft"], JsonSerializer.Deserialize<string[]>(output) ?? []);

        // The study's own list: its eight NNLM models and the fastText baseline, read from the repository's experiments/meli2019.json.
        var study = Lmev.Flow.Experiment.Load(Root, "meli2019");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [LmevProcess.Dll, "models", "--experiment", "meli2019", "--json", "--root", Root])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var lmev = System.Diagnostics.Process.Start(info)!;
        var listed = lmev.StandardOutput.ReadToEnd();
        lmev.WaitForExit();
        Assert.Equal(study.ModelList.Select(m => m.Name).ToArray(), JsonSerializer.Deserialize<string[]>(listed) ?? []);
        Assert.Equal(8, study.ModelList.Count(m => m.Kind == "nnlm"));
        Assert.Single(study.ModelList, m => m.Kind == "fasttext");
    }
}
