// lmev's pipeline as a Cake graph. This file is only the graph: each task runs the `lmev`
// program for its step, and lmev's stage cache decides whether the step has work to do (a cached
// step prints `cached` and returns in milliseconds). See README.md. The step tasks, their order and
// descriptions mirror src/Stages/Flow/FlowSteps.cs; a test (BuildCakeTests) checks that they agree.
//
//   dotnet cake                                         the demo experiment, offline, up to the report
//   dotnet cake --target=Report --experiment=meli2019   the study (downloads the data)
//   dotnet cake --target=Sample --force                 rerun the target step even if cached
//   dotnet cake --target=Train --model=random-dim50 --run=1   one slice of the training fan-out
//   dotnet cake --target=Train --gpu=true               the CUDA build (bin/lmev-gpu), training on CUDA where present

// Every argument this file reads, and Cake's own: anything else is a typo, refused before any step runs.
var known = new[] { "target", "experiment", "force", "locked", "model", "run", "gpu", "device",
    "verbosity", "v", "description", "showdescription", "tree", "showtree", "dryrun", "noop", "whatif", "exclusive", "e",
    "debug", "d", "info", "version", "help", "h", "bootstrap", "skip-bootstrap" };
foreach (var given in Context.Arguments.GetArguments().Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)))
{
    var closest = known.Take(8).OrderBy(k => Distance(given.ToLowerInvariant(), k)).First();
    throw new Exception($"unknown argument --{given}" + (Distance(given.ToLowerInvariant(), closest) <= 2 ? $" (did you mean --{closest}?)" : "") +
        $"; arguments: {string.Join(", ", known.Take(8).Select(k => "--" + k))} (see README.md)");
}

// Edit distance, for the suggestion above (the same rule as lmev's own).
static int Distance(string a, string b)
{
    var d = new int[a.Length + 1, b.Length + 1];
    for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
    for (var j = 0; j <= b.Length; j++) d[0, j] = j;
    for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
    return d[a.Length, b.Length];
}

var target = Argument("target", "Report");
var experiment = Argument("experiment", "demo");
var force = HasArgument("force") && Argument("force", "true") != "false";
var locked = HasArgument("locked") && Argument("locked", "true") != "false";
// --model=a,b restricts the per-model steps to those models (one slice of a CI matrix).
var models = string.Concat(Argument("model", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(m => $" --model {m}"));
// --run=1,2 restricts the per-run units: Train's, and with runs.resample each run's Sample, Split and Embed.
var runs = string.Concat(Argument("run", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => $" --run {r}"));
// --gpu=true builds with -p:Gpu=true (the CUDA packages of ONNX Runtime and TorchSharp) into bin/lmev-gpu, so the
// CPU build in bin/lmev is never overwritten; the project's own intermediate files go to obj-gpu/ (Directory.Build.props).
var gpu = HasArgument("gpu") && Argument("gpu", "true") != "false";
// --device=auto|cpu|cuda: where Train runs, over the experiment's train.device (recorded; never part of a key).
var device = Argument("device", "");
var output = gpu ? "bin/lmev-gpu" : "bin/lmev";
var lmev = MakeAbsolute(File($"{output}/lmev.dll"));

void Lmev(string step, string extra = "")
{
    var forceThis = force && string.Equals(step.Replace("-", ""), target, StringComparison.OrdinalIgnoreCase);
    var args = $"{step} --experiment {experiment}{(forceThis ? " --force" : "")}{models}{extra}";
    Information($"lmev {args}");
    DotNetExecute(lmev, args);
}

// The GPU build's restore first, its output kept: a package source that lacks the CUDA packages is named as the cause.
void RestoreGpu()
{
    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = "restore src/Cli/Lmev.Cli.csproj -p:Gpu=true", RedirectStandardOutput = true }, out var output);
    var lines = output.ToList();
    foreach (var line in lines) Information(line);
    if (exit == 0) return;
    var missing = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"NU110[0-3]: Unable to find package ([\w.-]+?)\.?\s"))
        .Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().ToList();
    throw new Exception(missing.Count > 0
        ? $"the GPU build (--gpu=true, -p:Gpu=true) needs {string.Join(", ", missing)}, which this machine's package sources do not serve " +
          "(TorchSharp-cuda-linux is on the public NuGet registry; see README, \"Running the study on a GPU runner\"); the CPU build in bin/lmev is untouched"
        : $"restoring the GPU build (-p:Gpu=true) failed with exit code {exit} (see above); the CPU build in bin/lmev is untouched");
}

Task("Build")
    .Description("Builds the lmev program once (bin/lmev, or with --gpu=true the CUDA build in bin/lmev-gpu); every step task runs it")
    .Does(() =>
    {
        if (gpu) RestoreGpu();
        DotNetBuild("src/Cli/Lmev.Cli.csproj", new DotNetBuildSettings
        {
            Configuration = "Release",
            OutputDirectory = output,
            NoLogo = true,
            Verbosity = DotNetVerbosity.Quiet,
            MSBuildSettings = new DotNetMSBuildSettings().WithProperty("Gpu", gpu ? "true" : "false"),
        });
        // The experiment, the lock and --model/--run are checked before any step runs.
        DotNetExecute(lmev, $"check --experiment {experiment}{models}{runs}");
    });

Task("Download")
    .Description("Fetch the experiment's source pinned in data.lock.json (verified by SHA-256), or generate the demo data; split.testSource's too")
    .IsDependentOn("Build")
    .Does(() => Lmev("download", locked ? " --locked" : ""));

Task("FilterSpanish")
    .Description("Keep the rows in the experiment's language (a language column, or a detector), skipping and counting bad rows (split.testSource's through the same filter)")
    .IsDependentOn("Download")
    .Does(() => Lmev("filter-spanish"));

Task("Sample")
    .Description("Draw a seeded uniform sample of rows (reservoir sampling, one pass); one per run with runs.resample")
    .IsDependentOn("FilterSpanish")
    .Does(() => Lmev("sample", runs));

Task("Split")
    .Description("Split the sample into train/val/test and assign class ids; one per run with runs.resample")
    .IsDependentOn("Sample")
    .Does(() => Lmev("split", runs));

Task("Model")
    .Description("Build each model's files: a seeded random bag-of-embeddings table, or a transformer (MiniLM from its package, or pinned in data.lock.json)")
    .IsDependentOn("Split")
    .Does(() => Lmev("model"));

Task("Embed")
    .Description("Embed the train/val/test titles with each frozen model through ONNX Runtime (CUDA when built with -p:Gpu=true and present) into .npy matrices")
    .IsDependentOn("Model")
    .Does(() => Lmev("embed", runs));

Task("Train")
    .Description("Train the study's MLP on each model's embeddings (or fine-tune its table), or a fasttext baseline as fastText does, runs times, score it on test, copy each run to saved_models/")
    .IsDependentOn("Embed")
    .Does(() => Lmev("train", runs + (device == "" ? "" : $" --device {device}")));

Task("Aggregate")
    .Description("Gather every run's metrics into runs.csv and summary.json (per model, language, dim, normalisation, mode, device; reference figures)")
    .IsDependentOn("Train")
    .Does(() => Lmev("aggregate"));

Task("Plot")
    .Description("Draw the study's figures (PNG and SVG) with ScottPlot")
    .IsDependentOn("Aggregate")
    .Does(() => Lmev("plot"));

Task("Report")
    .Description("Write the results document report/README.md and the self-contained report/index.html")
    .IsDependentOn("Plot")
    .Does(() => Lmev("report"));

Task("Status")
    .Description("Which steps are up to date, stale (and why) or never run")
    .IsDependentOn("Build")
    .Does(() => Lmev("status"));

RunTarget(target);
