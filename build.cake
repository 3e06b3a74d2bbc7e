// lmev's pipeline as a Cake graph. This file is only the graph: each task runs the `lmev`
// program for its step, and lmev's stage cache decides whether the step has work to do (a cached
// step prints `cached` and returns in milliseconds). See README.md.
//
//   dotnet cake --target=Split                          the demo experiment, offline
//   dotnet cake --target=Split --experiment=meli2019    the study (downloads the data)
//   dotnet cake --target=Sample --force                 rerun the target step even if cached

var target = Argument("target", "Split");
var experiment = Argument("experiment", "demo");
var force = HasArgument("force") && Argument("force", "true") != "false";
var locked = HasArgument("locked") && Argument("locked", "true") != "false";
var lmev = MakeAbsolute(File("bin/lmev/lmev.dll"));

void Lmev(string step, string extra = "")
{
    var forceThis = force && string.Equals(step.Replace("-", ""), target, StringComparison.OrdinalIgnoreCase);
    var args = $"{step} --experiment {experiment}{(forceThis ? " --force" : "")}{extra}";
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

Task("Status")
    .Description("Which steps are up to date, stale (and why) or never run")
    .IsDependentOn("Build")
    .Does(() => Lmev("status"));

RunTarget(target);
