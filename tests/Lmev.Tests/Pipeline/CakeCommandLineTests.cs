using System.Text.Json;
using System.Text.RegularExpressions;
using Lmev.Cli;
using Lmev.Flow;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Pipeline;

/// <summary>
/// Every command line build.cake can run, for every combination of Cake's arguments, parses with lmev's own parser: Cake never
/// passes a step an argument it refuses (the study's train jobs once failed on `--model` given to `lmev download`). The command
/// lines come from build/StepCommand.cake, the file build.cake loads, compiled into this project.
/// </summary>
public sealed partial class CakeCommandLineTests(ITestOutputHelper output)
{
    private static string Root => SharedData.RepoRoot() ?? throw new InvalidOperationException($"no lmev.slnx above {AppContext.BaseDirectory}");

    [GeneratedRegex("""^Task\("(?<name>\w+)"\)(?<body>.*?)(?=^Task\(|^RunTarget\()""", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex TaskBlock();

    [GeneratedRegex("""\.Does\(\(\) => (?<call>Lmev\("(?<step>[\w-]+)"\)|BuildLmev\(\))\);""")]
    private static partial Regex Body();

    [GeneratedRegex(@"\b(?:Argument|HasArgument|Arguments|Flag)(?:<\w+>)?\(""(?<name>[\w-]+)""")]
    private static partial Regex CakeArgument();

    /// <summary>The steps as build.cake receives them: the JSON `lmev steps --json` prints, read as build/lmev.cake reads it.</summary>
    private static Dictionary<string, LmevStep> Steps()
    {
        var (code, json) = LmevProcess.Run(null, "steps", "--json");
        Assert.True(code == 0, json);
        var steps = JsonSerializer.Deserialize<LmevStep[]>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        Assert.Equal(FlowSteps.All.Select(s => (s.Name, s.Target, s.Description, string.Join(" ", s.Arguments))),
            steps.Select(s => (s.Name, s.Target, s.Description, string.Join(" ", s.Arguments))));
        return steps.ToDictionary(s => s.Name);
    }

    /// <summary>build.cake's tasks, each with the lmev command it runs ("build" for the Build task).</summary>
    private static List<(string Task, string Runs)> Tasks() =>
        TaskBlock().Matches(File.ReadAllText(Path.Combine(Root, "build.cake"))).Select(m =>
        {
            var body = Body().Match(m.Groups["body"].Value);
            Assert.True(body.Success, $"build.cake: task {m.Groups["name"].Value} does not end in .Does(() => Lmev(\"<step>\")) or BuildLmev(): it would hold logic of its own");
            return (m.Groups["name"].Value, body.Groups["step"].Success ? body.Groups["step"].Value : "build");
        }).ToList();

    [Fact]
    public void Every_command_line_of_every_task_for_every_combination_of_cake_arguments_parses()
    {
        var steps = Steps();
        var tasks = Tasks();
        // Build, the steps in flow order, then Status.
        Assert.Equal(["build", .. FlowSteps.All.Select(s => s.Name), "status"], tasks.Select(t => t.Runs));
        string[][] models = [[], ["r16"], ["r16", "fasttext"]];
        string[][] runs = [[], ["2"], ["1", "2"]];
        string[] devices = ["", "cpu", "cuda"];
        var parser = LmevCommand.Build();
        var parsed = 0;
        var given = new[] { "target", "experiment", "model", "run", "device", "locked", "force", "gpu" };
        foreach (var (target, _) in tasks)
        foreach (var m in models)
        foreach (var r in runs)
        foreach (var device in devices)
        foreach (var locked in new[] { false, true })
        foreach (var force in new[] { false, true })
        {
            var selection = new CakeSelection(target, "demo", m, r, device, locked, force);
            // Cake runs the target's task after those it depends on: Build, then the steps in flow order up to the target (Status: Build alone).
            var index = tasks.FindIndex(t => t.Task == target);
            var run = target == "Status" ? [tasks[0], tasks[index]] : tasks.Take(index + 1);
            foreach (var (task, runsStep) in run)
            {
                string[] line = runsStep switch
                {
                    "build" => selection.Check(given),
                    "status" => selection.Status(),
                    _ => selection.Step(steps[runsStep].Name, steps[runsStep].Target, steps[runsStep].Arguments),
                };
                var result = parser.Parse(line);
                Assert.True(result.Errors.Count == 0,
                    $"dotnet cake --target={target} (task {task}) runs `lmev {string.Join(' ', line)}`, which lmev refuses: {string.Join("; ", result.Errors.Select(e => e.Message))}");
                parsed++;
            }
        }
        output.WriteLine($"{parsed} command lines parsed: {tasks.Count} targets × {models.Length * runs.Length * devices.Length * 4} combinations of " +
            "--model, --run, --device, --locked, --force, each with the lmev command of every task Cake runs for that target");
    }

    [Fact]
    public void A_step_is_given_exactly_the_selection_arguments_flow_steps_says_it_takes()
    {
        var steps = Steps();
        var selection = new CakeSelection("Train", "demo", ["r16"], ["2"], "cpu", Locked: true, Force: true);
        foreach (var step in FlowSteps.All)
        {
            var line = selection.Step(step.Name, step.Target, steps[step.Name].Arguments);
            var given = line.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--experiment").Distinct().ToList();
            // --force goes to the target step alone.
            var expected = step.Arguments.Where(a => a != SelectionArguments.Force || step.Target == "Train").ToList();
            Assert.Equal(expected, given);
        }
        Assert.Equal(["train", "--experiment", "demo", "--model", "r16", "--run", "2", "--device", "cpu", "--locked", "--force"],
            selection.Step("train", "Train", steps["train"].Arguments));
        Assert.Equal(["download", "--experiment", "demo", "--locked"], selection.Step("download", "Download", steps["download"].Arguments));
    }

    [Fact]
    public void Every_argument_build_cake_reads_is_one_lmev_check_lets_through()
    {
        var scripts = Directory.EnumerateFiles(Path.Combine(Root, "build"), "*.cake").Append(Path.Combine(Root, "build.cake"));
        var read = scripts.SelectMany(f => CakeArgument().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value)).Distinct().ToList();
        Assert.Contains("model", read);
        foreach (var name in read)
            Assert.Contains(name, SelectionArguments.CakeArguments);
        Assert.Null(SelectionArguments.UnknownCakeArguments(read));
    }

    [Fact]
    public void Lmev_check_names_a_mistyped_cake_argument_with_the_closest_one()
    {
        var (code, text) = LmevProcess.Run(null, "check", "--cake-arguments", "target", "modle", "experimnt", "xyzzy");
        Assert.Equal(1, code);
        Assert.Contains("unknown arguments --modle (did you mean --model?), --experimnt (did you mean --experiment?), --xyzzy;", text);
        Assert.Contains("nothing was run", text);
    }
}
