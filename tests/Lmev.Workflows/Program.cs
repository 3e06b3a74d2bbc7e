using System.CommandLine;
using System.Text.RegularExpressions;
using Lmev.Workflows;
using Lmev.Workflows.Execution;

// lmev-actions: runs .github/workflows/*.yml on this machine as a GitHub Actions runner would, so that CI checks the path the
// study's users take (the workflow, Cake, lmev) and not a model of it. See WorkflowRunner, Actions and RunnerPool for what it
// does in place of GitHub; `.ci/workflows` runs the study workflow twice and compares its report with a sequential run's.

var workflow = new Argument<FileInfo>("workflow") { Description = "The workflow file, e.g. .github/workflows/study.yml" };
var repo = new Option<DirectoryInfo>("--repo") { Description = "The git repository whose HEAD is the commit under test", DefaultValueFactory = _ => new DirectoryInfo(".") };
var root = new Option<DirectoryInfo>("--root") { Description = "The harness's folder: runners, origin repository, artifacts and logs (kept between runs)", Required = true };
var runners = new Option<int>("--runners") { Description = "How many self-hosted runners (jobs are given to them in turn)", DefaultValueFactory = _ => 2 };
var eventName = new Option<string>("--event") { Description = "The event that starts the run: workflow_dispatch, push or schedule", DefaultValueFactory = _ => "workflow_dispatch" };
var inputs = new Option<string[]>("--input") { Description = "A workflow_dispatch input, name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
var vars = new Option<string[]>("--var") { Description = "A repository variable (vars.NAME), name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
var secrets = new Option<string[]>("--secret")
{
    Description = "A repository secret (secrets.NAME), name=value (repeatable); never printed, and left out of the jobs' saved environments",
    AllowMultipleArgumentsPerToken = false,
};
var cpuOnly = new Option<bool>("--cpu-only")
{
    Description = "This machine has no CUDA packages: every step's `--gpu=true` becomes `--gpu=false` and `bin/lmev-gpu/` becomes `bin/lmev/` (each said where it is made)",
};
var expectCached = new Option<string[]>("--expect-cached")
{
    Description = "Jobs (by id, matrix entries included) in which every lmev unit must be found in the cache: one that ran fails the run",
    AllowMultipleArgumentsPerToken = true,
};

var run = new Command("run", "Run a workflow as a runner would: jobs in needs order, each in its runner's workspace, every run: step verbatim") { workflow, repo, root, runners, eventName, inputs, vars, secrets, cpuOnly, expectCached };
run.SetAction(p =>
{
    var substitutions = p.GetValue(cpuOnly)
        ? new List<Substitution>
        {
            new("--gpu=true", "--gpu=false", "this machine's package sources do not serve TorchSharp-cuda-linux, and it has no GPU"),
            new("bin/lmev-gpu/", "bin/lmev/", "the CPU build, as --gpu=false builds it"),
        }
        : [];
    var request = new RunRequest(p.GetValue(workflow)!.FullName, p.GetValue(repo)!.FullName, p.GetValue(root)!.FullName, p.GetValue(eventName)!,
        Pairs(p.GetValue(inputs), "--input"), Pairs(p.GetValue(vars), "--var"), p.GetValue(runners), substitutions, Secrets: Pairs(p.GetValue(secrets), "--secret"));
    try
    {
        var runner = new WorkflowRunner(request);
        var ok = runner.Execute();
        var expected = (p.GetValue(expectCached) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        foreach (var job in runner.Results.Where(r => expected.Any(e => r.Key == e || r.Key.StartsWith(e + " (", StringComparison.Ordinal))))
        {
            var log = job.Log.Length > 0 ? File.ReadAllLines(job.Log) : [];
            var ran = log.Where(l => l.Contains(": running (", StringComparison.Ordinal)).ToList();
            var cached = log.Count(l => CachedUnit().IsMatch(l));
            Console.WriteLine($"expect-cached {job.Key}: {cached} unit{(cached == 1 ? "" : "s")} cached, {ran.Count} ran{(ran.Count > 0 ? ": " + string.Join("; ", ran) : "")}");
            if (ran.Count > 0 || cached == 0) ok = false;
        }
        return ok ? 0 : 1;
    }
    catch (WorkflowException e)
    {
        Console.Error.WriteLine($"lmev-actions: {e.Message}");
        return 2;
    }
});

var expectedReport = new Argument<DirectoryInfo>("expected") { Description = "A report/ folder" };
var actualReport = new Argument<DirectoryInfo>("actual") { Description = "Another report/ folder (e.g. a workflow's report artifact)" };
var compare = new Command("compare-reports", "Compare two report folders as the same results, training times masked (exit 1 when they differ)") { expectedReport, actualReport };
compare.SetAction(p =>
{
    var difference = ReportComparison.Difference(p.GetValue(expectedReport)!.FullName, p.GetValue(actualReport)!.FullName);
    Console.WriteLine(difference is null
        ? $"the reports are the same (training times masked): {ReportComparison.Normalized(p.GetValue(actualReport)!.FullName).Count} files"
        : $"the reports differ: {difference}");
    return difference is null ? 0 : 1;
});

return new RootCommand("lmev-actions: runs GitHub Actions workflows on this machine as a runner would") { run, compare }.Parse(args).Invoke();

static Dictionary<string, string> Pairs(string[]? values, string option) => (values ?? []).Select(v =>
{
    var eq = v.IndexOf('=');
    return eq > 0 ? (v[..eq], v[(eq + 1)..]) : throw new ArgumentException($"{option} {v}: expected name=value");
}).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

internal static partial class Program
{
    // A unit found in the local cache, or pulled from the remote: "cached (KEY)", "cached (remote) (KEY)".
    [GeneratedRegex(@": cached (\(remote\) )?\([0-9a-f]+\)")]
    private static partial Regex CachedUnit();
}
