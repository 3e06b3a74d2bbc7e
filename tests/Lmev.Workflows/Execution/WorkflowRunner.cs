using System.Diagnostics;
using System.Text.Json.Nodes;
using Lmev.Workflows.Expressions;
using Lmev.Workflows.Model;

namespace Lmev.Workflows.Execution;

/// <summary>
/// A substitution of the harness's own in a step's script, where this machine cannot do what the step asks; said in the
/// output every time it is made. Nothing else of a workflow is rewritten.
/// </summary>
public sealed record Substitution(string From, string To, string Why);

/// <summary>How a run is asked for: the workflow file, the event and its inputs, repository variables and secrets, the runners.</summary>
public sealed record RunRequest(string WorkflowPath, string Repository, string Root, string EventName, IReadOnlyDictionary<string, string> Inputs,
    IReadOnlyDictionary<string, string> Vars, int Runners, IReadOnlyList<Substitution> Substitutions, string Branch = "main",
    IReadOnlyDictionary<string, string>? Secrets = null);

/// <summary>What became of a job.</summary>
public sealed record JobResult(string Key, string Runner, string Result, TimeSpan Time, int StepsRun, int Steps, string Log, string Workspace);

/// <summary>
/// Runs a workflow as GitHub Actions would on this machine: jobs in <c>needs</c> order (a job whose needs did not all succeed is
/// skipped), a matrix expanded from its values (often a <c>needs</c> output, as the prepare job's real <c>$GITHUB_OUTPUT</c> set it),
/// each job on a runner of its labels (<see cref="RunnerPool"/>), in a workspace that <c>actions/checkout</c> fills; each <c>run:</c>
/// step through <c>bash -e</c> (or <c>bash --noprofile --norc -eo pipefail</c> with <c>shell: bash</c>) with the workflow's, job's and
/// step's env, <c>${{ … }}</c> filled in, and GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH read back as the runner does.
/// </summary>
public sealed class WorkflowRunner(RunRequest request)
{
    private readonly Dictionary<string, JobResult> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _needs = new(StringComparer.Ordinal);

    public IReadOnlyList<JobResult> Results => _results.Values.ToList();

    public HarnessRun? Run { get; private set; }

    /// <summary>Runs the workflow; true when every job succeeded.</summary>
    public bool Execute()
    {
        var workflow = WorkflowFile.Load(request.WorkflowPath);
        var run = Run = new HarnessRun(request.Root, request.Repository, request.Branch);
        var pool = new RunnerPool(request.Root, request.Runners);
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"lmev-actions: workflow '{workflow.Name}' ({request.WorkflowPath}), event {request.EventName}, run {run.Id}, commit {run.Commit[..12]} on {run.Branch}, " +
                          $"{request.Runners} self-hosted runner{(request.Runners == 1 ? "" : "s")} under {run.Root}");
        var inputs = new JsonObject();
        if (request.EventName == "workflow_dispatch")
            foreach (var (name, fallback) in workflow.InputDefaults)
                inputs[name] = request.Inputs.TryGetValue(name, out var given) ? given : fallback;
        foreach (var name in request.Inputs.Keys.Where(k => !workflow.InputDefaults.ContainsKey(k)))
            throw new WorkflowException($"--input {name}: the workflow declares no such input (it declares: {string.Join(", ", workflow.InputDefaults.Keys)})");
        Console.WriteLine($"  inputs: {(inputs.Count == 0 ? "(none)" : string.Join(", ", inputs.Select(i => $"{i.Key}={i.Value}")))}");

        foreach (var job in Order(workflow.Jobs))
        {
            var needsContext = new JsonObject(job.Needs.Select(n => KeyValuePair.Create(n, (JsonNode?)_needs[n].DeepClone())));
            var needsOk = job.Needs.All(n => (string?)_needs[n]["result"] == "success");
            var baseContext = Contexts(run, inputs, needsContext, workflow.Name);
            if (job.If is not null ? !Expression.IsTruthy(Expression.Evaluate(Unwrap(job.If), baseContext.Clone())) : !needsOk)
            {
                Console.WriteLine($"\njob {job.Id}: skipped ({(needsOk ? $"if: {job.If}" : "a job it needs did not succeed")})");
                _results[job.Id] = new JobResult(job.Id, "-", "skipped", TimeSpan.Zero, 0, job.Steps.Count, "", "");
                _needs[job.Id] = new JsonObject { ["result"] = "skipped", ["outputs"] = new JsonObject() };
                continue;
            }
            var combos = Matrix(job, baseContext);
            var outputs = new JsonObject();
            var results = new List<string>();
            for (var i = 0; i < combos.Count; i++)
            {
                var matrix = combos[i];
                var key = matrix is null ? job.Id : $"{job.Id} ({string.Join(", ", matrix.Select(m => Expression.AsString(m.Value)))})";
                if (job.FailFast && results.Contains("failure"))
                {
                    _results[key] = new JobResult(key, "-", "cancelled", TimeSpan.Zero, 0, job.Steps.Count, "", "");
                    results.Add("cancelled");
                    continue;
                }
                var strategy = new JsonObject { ["fail-fast"] = job.FailFast, ["job-index"] = i, ["job-total"] = combos.Count };
                var result = RunJob(run, pool, workflow, job, key, baseContext, matrix, strategy, outputs);
                results.Add(result.Result);
            }
            var overall = results.Contains("failure") || results.Contains("cancelled") ? "failure" : "success";
            _needs[job.Id] = new JsonObject { ["result"] = overall, ["outputs"] = outputs };
        }
        clock.Stop();
        WriteSummary(workflow, run, clock.Elapsed);
        return _results.Values.All(r => r.Result == "success");
    }

    private JobResult RunJob(HarnessRun run, RunnerPool pool, WorkflowFile workflow, Job job, string key, EvaluationContext baseContext,
        JsonObject? matrix, JsonObject strategy, JsonObject outputs)
    {
        var safeKey = new string(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()).Trim('_');
        var runner = pool.Assign(job.RunsOn, run.Folder, safeKey);
        var workspace = runner.Workspace(run.Repository);
        Directory.CreateDirectory(workspace);
        if (Directory.Exists(runner.Temp)) Directory.Delete(runner.Temp, recursive: true);
        Directory.CreateDirectory(runner.Temp);
        var logPath = Path.Combine(run.Logs, $"{safeKey}.log");
        using var log = new StreamWriter(logPath) { AutoFlush = true };
        var context = new JobContext(key, runner, workspace, log);
        Console.WriteLine($"\njob {key} on {runner.Name} [{string.Join(", ", runner.Labels)}], workspace {workspace}");

        var ctx = baseContext.At(workspace)
            .With("runner", new JsonObject
            {
                ["os"] = "Linux", ["arch"] = "X64", ["name"] = runner.Name, ["temp"] = runner.Temp,
                ["tool_cache"] = Path.Combine(runner.Folder, "_work", "_tool"), ["workspace"] = runner.RepositoryFolder(run.Repository),
            })
            .With("strategy", strategy).With("matrix", matrix ?? new JsonObject()).With("job", new JsonObject { ["status"] = "success" })
            .With("steps", new JsonObject());
        ((JsonObject)ctx.Lookup("github")!)["workspace"] = workspace;
        ((JsonObject)ctx.Lookup("github")!)["job"] = job.Id;
        // The env context: the workflow's, then the job's (each may read the ones before it).
        var env = new JsonObject();
        foreach (var (name, value) in workflow.Env.Concat(job.Env))
        {
            ctx.With("env", env.DeepClone());
            env[name] = Expression.AsString(Expression.Interpolate(value, ctx));
        }
        var githubEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        var paths = new List<string> { run.Bin };
        var clock = Stopwatch.StartNew();
        var stepsRun = 0;
        var deadline = DateTime.UtcNow.AddMinutes(job.TimeoutMinutes);
        for (var s = 0; s < job.Steps.Count; s++)
        {
            var step = job.Steps[s];
            var stepEnv = (JsonObject)env.DeepClone();
            foreach (var (name, value) in githubEnv) stepEnv[name] = value;
            ctx.With("env", stepEnv.DeepClone());
            foreach (var (name, value) in step.Env) stepEnv[name] = Expression.AsString(Expression.Interpolate(value, ctx));
            ctx.With("env", stepEnv.DeepClone());
            var condition = step.If is null ? !ctx.JobFailed : Expression.IsTruthy(Expression.Evaluate(Unwrap(step.If), ctx));
            var title = Expression.InterpolateString(step.Title, ctx);
            if (!condition)
            {
                Console.WriteLine($"  step {s + 1}/{job.Steps.Count}: {title} — skipped");
                continue;
            }
            Console.WriteLine($"  step {s + 1}/{job.Steps.Count}: {title}");
            log.WriteLine($"::step {s + 1}: {title}");
            stepsRun++;
            var stepClock = Stopwatch.StartNew();
            var outcome = "success";
            var stepOutputs = new JsonObject();
            try
            {
                if (step.Uses is not null)
                {
                    var with = step.With.ToDictionary(w => w.Name, w => Expression.AsString(Expression.Interpolate(w.Value, ctx)), StringComparer.Ordinal);
                    new Actions(run, context).Run(step.Uses, with);
                }
                else
                {
                    var left = deadline - DateTime.UtcNow;
                    var limit = step.TimeoutMinutes is { } m && TimeSpan.FromMinutes(m) < left ? TimeSpan.FromMinutes(m) : left;
                    var code = RunScript(step, ctx, context, run, stepEnv, githubEnv, paths, stepOutputs, limit);
                    if (code != 0)
                    {
                        outcome = "failure";
                        Console.WriteLine($"    ✗ exit code {code}");
                        log.WriteLine($"::error exit code {code}");
                    }
                }
            }
            catch (WorkflowException e)
            {
                outcome = "failure";
                Console.WriteLine($"    ✗ {e.Message}");
                log.WriteLine($"::error {e.Message}");
            }
            Console.WriteLine($"    {(outcome == "success" ? "✓" : "✗")} {stepClock.Elapsed.TotalSeconds:F1} s");
            if (outcome != "success") ctx.JobFailed = true;
            if (step.Id is not null)
                ((JsonObject)ctx.Lookup("steps")!)[step.Id] = new JsonObject { ["outputs"] = stepOutputs, ["outcome"] = outcome, ["conclusion"] = outcome };
        }
        if (!ctx.JobFailed)
            foreach (var post in context.PostSteps)
                try { post(); }
                catch (WorkflowException e) { context.Say($"post-job step failed: {e.Message}"); }
        foreach (var (name, value) in job.Outputs)
            outputs[name] = Expression.AsString(Expression.Interpolate(value, ctx));
        // The job's environment as its last step saw it, for scripts that rerun a command in its workspace; a secret's value is left out.
        var secretValues = (request.Secrets ?? new Dictionary<string, string>()).Values.Where(v => v.Length > 0).ToHashSet(StringComparer.Ordinal);
        File.WriteAllLines(Path.Combine(run.Logs, $"{safeKey}.env"),
            env.Select(e => (e.Key, Value: Expression.AsString(e.Value))).Concat(githubEnv.Select(e => (e.Key, e.Value)))
                .Where(e => !secretValues.Contains(e.Value)).Select(e => $"{e.Key}={e.Value}").Append($"WORKSPACE={workspace}"));
        var result = new JobResult(key, runner.Name, ctx.JobFailed ? "failure" : "success", clock.Elapsed, stepsRun, job.Steps.Count, logPath, workspace);
        _results[key] = result;
        Console.WriteLine($"job {key}: {result.Result} in {result.Time.TotalSeconds:F0} s");
        return result;
    }

    /// <summary>A run: step: its script with ${{ }} filled and this machine's substitutions, through bash, and GITHUB_* files read back.</summary>
    private int RunScript(Step step, EvaluationContext ctx, JobContext job, HarnessRun run, JsonObject stepEnv,
        Dictionary<string, string> githubEnv, List<string> paths, JsonObject stepOutputs, TimeSpan timeout)
    {
        var script = Expression.InterpolateString(step.Run!, ctx);
        foreach (var sub in request.Substitutions)
        {
            if (!script.Contains(sub.From, StringComparison.Ordinal)) continue;
            script = script.Replace(sub.From, sub.To, StringComparison.Ordinal);
            job.Say($"substitution: `{sub.From}` → `{sub.To}` ({sub.Why})");
        }
        // As GitHub masks them in logs: a secret's value is printed as ***.
        var shown = (request.Secrets ?? new Dictionary<string, string>()).Values.Where(v => v.Length > 0)
            .Aggregate(script, (text, secret) => text.Replace(secret, "***", StringComparison.Ordinal));
        foreach (var line in shown.TrimEnd().Split('\n')) Console.WriteLine($"    $ {line}");
        var file = Path.Combine(job.Runner.Temp, $"{Guid.NewGuid():N}.sh");
        File.WriteAllText(file, script);
        string Fresh(string name) { var p = Path.Combine(job.Runner.Temp, $"{name}_{Guid.NewGuid():N}"); File.WriteAllText(p, ""); return p; }
        var output = Fresh("set_output");
        var envFile = Fresh("set_env");
        var pathFile = Fresh("add_path");
        var summary = Fresh("step_summary");
        var environment = Environment(ctx, job, run, stepEnv, paths);
        environment["GITHUB_OUTPUT"] = output;
        environment["GITHUB_ENV"] = envFile;
        environment["GITHUB_PATH"] = pathFile;
        environment["GITHUB_STEP_SUMMARY"] = summary;
        string[] shell = step.Shell switch
        {
            null => ["-e", file],
            "bash" => ["--noprofile", "--norc", "-eo", "pipefail", file],
            _ => throw new WorkflowException($"shell: {step.Shell} is not modelled by this harness (it models bash)"),
        };
        var folder = step.WorkingDirectory is null ? job.Workspace : Path.Combine(job.Workspace, Expression.InterpolateString(step.WorkingDirectory, ctx));
        var code = StepProcess.Run("bash", shell, folder, environment, job.Log, timeout);
        foreach (var (name, value) in ReadKeyValues(output)) stepOutputs[name] = value;
        foreach (var (name, value) in ReadKeyValues(envFile)) githubEnv[name] = value;
        paths.InsertRange(0, File.ReadAllLines(pathFile).Where(l => l.Length > 0).Reverse());
        return code;
    }

    /// <summary>
    /// A step's process environment: the harness's own (the runner service's: PATH, HOME, the SDK's variables), less any GITHUB_*,
    /// RUNNER_* or LMEV_* it was started with; the runner's .env; GitHub's default variables; then the env context.
    /// </summary>
    private static Dictionary<string, string> Environment(EvaluationContext ctx, JobContext job, HarnessRun run, JsonObject stepEnv, List<string> paths)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)e.Key;
            if (name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("RUNNER_", StringComparison.Ordinal) || name.StartsWith("LMEV_", StringComparison.Ordinal)) continue;
            environment[name] = (string?)e.Value ?? "";
        }
        foreach (var (name, value) in job.Runner.DotEnv()) environment[name] = value;
        var github = (JsonObject)ctx.Lookup("github")!;
        environment["CI"] = "true";
        environment["GITHUB_ACTIONS"] = "true";
        environment["GITHUB_WORKSPACE"] = job.Workspace;
        environment["GITHUB_RUN_ID"] = run.Id.ToString();
        environment["GITHUB_RUN_NUMBER"] = run.Id.ToString();
        environment["GITHUB_REF"] = $"refs/heads/{run.Branch}";
        environment["GITHUB_REF_NAME"] = run.Branch;
        environment["GITHUB_SHA"] = run.Commit;
        environment["GITHUB_REPOSITORY"] = (string)github["repository"]!;
        environment["GITHUB_SERVER_URL"] = (string)github["server_url"]!;
        environment["GITHUB_EVENT_NAME"] = (string)github["event_name"]!;
        environment["GITHUB_JOB"] = (string)github["job"]!;
        environment["RUNNER_OS"] = "Linux";
        environment["RUNNER_TEMP"] = job.Runner.Temp;
        environment["RUNNER_NAME"] = job.Runner.Name;
        foreach (var (name, value) in stepEnv) environment[name] = Expression.AsString(value);
        environment["PATH"] = string.Join(':', paths.Append(environment.GetValueOrDefault("PATH") ?? "/usr/bin:/bin"));
        return environment;
    }

    /// <summary>GITHUB_OUTPUT / GITHUB_ENV: <c>name=value</c> lines, or <c>name&lt;&lt;DELIMITER</c> … <c>DELIMITER</c> for many lines.</summary>
    public static IEnumerable<(string Name, string Value)> ReadKeyValues(string file)
    {
        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0) continue;
            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            var eq = line.IndexOf('=');
            if (heredoc > 0 && (eq < 0 || heredoc < eq))
            {
                var delimiter = line[(heredoc + 2)..];
                var body = new List<string>();
                for (i++; i < lines.Length && lines[i] != delimiter; i++) body.Add(lines[i]);
                if (i >= lines.Length) throw new WorkflowException($"{file}: '{line[..heredoc]}' has no closing delimiter {delimiter}");
                yield return (line[..heredoc], string.Join('\n', body));
            }
            else if (eq > 0) yield return (line[..eq], line[(eq + 1)..]);
            else throw new WorkflowException($"{file}: line '{line}' is neither name=value nor name<<DELIMITER");
        }
    }

    private EvaluationContext Contexts(HarnessRun run, JsonObject inputs, JsonObject needs, string workflow) =>
        new EvaluationContext(run.Root)
            .With("github", new JsonObject
            {
                ["event_name"] = request.EventName, ["run_id"] = run.Id.ToString(), ["run_number"] = run.Id.ToString(), ["ref"] = $"refs/heads/{run.Branch}",
                ["ref_name"] = run.Branch, ["sha"] = run.Commit, ["repository"] = $"local/{run.Repository}", ["server_url"] = "http://lmev-actions.invalid",
                ["token"] = "lmev-actions-token", ["workflow"] = workflow, ["actor"] = "lmev-actions",
            })
            .With("inputs", inputs.DeepClone())
            .With("vars", new JsonObject(request.Vars.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))))
            .With("secrets", new JsonObject((request.Secrets ?? new Dictionary<string, string>()).Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))
                .Append(KeyValuePair.Create("GITHUB_TOKEN", (JsonNode?)"lmev-actions-token"))))
            .With("needs", needs)
            .With("env", new JsonObject());

    /// <summary>The job's matrix combinations (null: no matrix): the cartesian product of its keys' values, each a list or an expression giving one.</summary>
    private static List<JsonObject?> Matrix(Job job, EvaluationContext ctx)
    {
        if (job.Matrix is null) return [null];
        var combos = new List<JsonObject> { new() };
        foreach (var (key, values) in job.Matrix)
        {
            JsonArray list = values switch
            {
                YamlDotNet.RepresentationModel.YamlSequenceNode seq => new JsonArray(seq.Children.Select(n => (JsonNode?)JsonValue.Create(((YamlDotNet.RepresentationModel.YamlScalarNode)n).Value)).ToArray()),
                YamlDotNet.RepresentationModel.YamlScalarNode scalar => Expression.Interpolate(scalar.Value!, ctx.Clone()) as JsonArray
                    ?? throw new WorkflowException($"job {job.Id}: matrix.{key} = {scalar.Value} is not a list"),
                _ => throw new WorkflowException($"job {job.Id}: matrix.{key} is not a list"),
            };
            if (list.Count == 0) throw new WorkflowException($"job {job.Id}: matrix.{key} is empty (GitHub fails such a job: 'Matrix vector does not contain any values')");
            combos = combos.SelectMany(c => list.Select(v => { var n = (JsonObject)c.DeepClone(); n[key] = v?.DeepClone(); return n; })).ToList();
        }
        Console.WriteLine($"\njob {job.Id}: matrix {string.Join(" × ", job.Matrix.Select(m => m.Key))} = {combos.Count} job{(combos.Count == 1 ? "" : "s")}: " +
                          string.Join(", ", combos.Select(c => string.Join("/", c.Select(p => Expression.AsString(p.Value))))));
        return combos.Cast<JsonObject?>().ToList();
    }

    /// <summary>The jobs in an order that runs each after its needs (their order in the file where free).</summary>
    private static List<Job> Order(IReadOnlyList<Job> jobs)
    {
        var done = new List<Job>();
        var left = jobs.ToList();
        while (left.Count > 0)
        {
            var next = left.FirstOrDefault(j => j.Needs.All(n => done.Any(d => d.Id == n)))
                ?? throw new WorkflowException($"jobs {string.Join(", ", left.Select(j => j.Id))}: their needs form a cycle or name a missing job");
            done.Add(next);
            left.Remove(next);
        }
        return done;
    }

    /// <summary>An <c>if:</c> may be written with or without ${{ }}.</summary>
    private static string Unwrap(string condition)
    {
        var t = condition.Trim();
        return t.StartsWith("${{", StringComparison.Ordinal) && t.EndsWith("}}", StringComparison.Ordinal) ? t[3..^2] : t;
    }

    private void WriteSummary(WorkflowFile workflow, HarnessRun run, TimeSpan wall)
    {
        var lines = new List<string>
        {
            "",
            $"workflow '{workflow.Name}', run {run.Id}: {_results.Count} job{(_results.Count == 1 ? "" : "s")}, " +
            $"{_results.Values.Sum(r => r.StepsRun)} steps run, wall time {wall.TotalSeconds:F0} s",
            $"  {"job",-40} {"runner",-24} {"result",-10} {"time",8}  steps",
        };
        lines.AddRange(_results.Values.Select(r => $"  {r.Key,-40} {r.Runner,-24} {r.Result,-10} {r.Time.TotalSeconds,6:F0} s  {r.StepsRun}/{r.Steps}"));
        var artifacts = Directory.EnumerateDirectories(run.Artifacts).Order(StringComparer.Ordinal).Select(a =>
        {
            var files = Directory.EnumerateFiles(a, "*", SearchOption.AllDirectories).ToList();
            return $"{Path.GetFileName(a)} ({files.Count} file{(files.Count == 1 ? "" : "s")}, {files.Sum(f => new FileInfo(f).Length) / 1048576.0:F1} MiB)";
        }).ToList();
        lines.Add($"  artifacts: {(artifacts.Count == 0 ? "none" : string.Join(", ", artifacts))} in {run.Artifacts}");
        if (File.Exists(run.GhCalls)) lines.Add($"  gh calls so far ({run.GhCalls}): {File.ReadAllLines(run.GhCalls).Length}");
        foreach (var line in lines) Console.WriteLine(line);
        File.WriteAllLines(Path.Combine(run.Folder, "summary.txt"), lines.Skip(1));
    }
}
