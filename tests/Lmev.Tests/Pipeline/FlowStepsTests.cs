using System.Text.RegularExpressions;
using Lmev.Cli;
using Lmev.Flow;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>FlowSteps is the one list of steps: build.cake, lmev's subcommands and the stages agree with it.</summary>
public sealed partial class FlowStepsTests
{
    private sealed record CakeTask(string Name, string? Description, IReadOnlyList<string> DependsOn, string? Step);

    [GeneratedRegex("""^Task\("(?<name>\w+)"\)(?<body>.*?)(?=^Task\(|^RunTarget\()""", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex TaskBlock();

    [GeneratedRegex("""\.Description\("(?<text>(?:[^"\\]|\\.)*)"\)""")]
    private static partial Regex Description();

    [GeneratedRegex("""\.IsDependentOn\("(?<name>\w+)"\)""")]
    private static partial Regex DependsOn();

    [GeneratedRegex(@"\bLmev\(""(?<step>[\w-]+)""")]
    private static partial Regex LmevCall();

    private static List<CakeTask> CakeTasks()
    {
        var root = SharedData.RepoRoot() ?? throw new InvalidOperationException($"no lmev.slnx above {AppContext.BaseDirectory}");
        var script = File.ReadAllText(Path.Combine(root, "build.cake"));
        return TaskBlock().Matches(script).Select(m =>
        {
            var body = m.Groups["body"].Value;
            return new CakeTask(m.Groups["name"].Value,
                Description().Match(body) is { Success: true } d ? Regex.Unescape(d.Groups["text"].Value) : null,
                DependsOn().Matches(body).Select(x => x.Groups["name"].Value).ToList(),
                LmevCall().Match(body) is { Success: true } l ? l.Groups["step"].Value : null);
        }).ToList();
    }

    [Fact]
    public void Build_cake_has_one_task_per_step_in_flow_order_with_the_steps_description()
    {
        var tasks = CakeTasks().Where(t => t.Step is { } s && ExperimentFlow.StepNames.Contains(s)).ToList();
        Assert.Equal(FlowSteps.All.Select(s => (s.Target, s.Name)), tasks.Select(t => (t.Name, t.Step!)));
        for (var i = 0; i < tasks.Count; i++)
        {
            var step = FlowSteps.All[i];
            Assert.Equal(step.Description, tasks[i].Description);
            Assert.Equal([i == 0 ? "Build" : FlowSteps.All[i - 1].Target], tasks[i].DependsOn);
        }
    }

    [Fact]
    public void Build_cakes_default_target_is_the_last_step()
    {
        var root = SharedData.RepoRoot()!;
        Assert.Contains("#load \"build/lmev.cake\"", File.ReadAllText(Path.Combine(root, "build.cake")));
        Assert.Contains($"Argument(\"target\", \"{FlowSteps.All[^1].Target}\")", File.ReadAllText(Path.Combine(root, "build", "lmev.cake")));
    }

    [Fact]
    public void Lmev_has_one_subcommand_per_step_with_the_steps_description()
    {
        var commands = LmevCommand.Build().Subcommands.ToDictionary(c => c.Name);
        foreach (var step in FlowSteps.All)
        {
            Assert.True(commands.TryGetValue(step.Name, out var command), $"lmev has no subcommand '{step.Name}'");
            Assert.Equal(step.Description, command.Description);
            // Exactly the selection arguments FlowSteps says the step takes (what build.cake passes it).
            Assert.Equal(step.Arguments, command.Options.Select(o => o.Name).Where(SelectionArguments.All.Contains).OrderBy(SelectionArguments.All.ToList().IndexOf));
        }
    }

    /// <summary>The contract every step keeps: its stage is named after it (the cache folder and the refs use that name).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_step_builds_stages_named_after_it(bool resample)
    {
        using var p = new TestProject();
        p.AddQuickModels();
        p.Experiment["runs"] = new System.Text.Json.Nodes.JsonObject { ["count"] = 2, ["resample"] = resample };
        p.Save();
        foreach (var step in FlowSteps.All)
        {
            var entries = p.Flow().Run(step.Name);
            Assert.NotEmpty(entries);
            Assert.All(entries, m => Assert.Equal(step.Name, m.Stage));
        }
        Assert.All(p.Flow().Status(), s => Assert.Equal("up to date", s.State));
    }
}
