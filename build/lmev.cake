// What build.cake's tasks call: the arguments Cake was given, the build of the lmev program, and one way to run a step.
// lmev decides everything else: which arguments a step takes (`lmev steps --json`), whether a typo was made (`lmev check`),
// and whether a step has work to do (its stage cache).
#load "StepCommand.cake"

var target = Argument("target", "Report");
// Flags are given as --locked or --locked=true; --locked=false turns one off.
bool Flag(string name) => HasArgument(name) && Argument(name, "true") != "false";
var selection = new CakeSelection(target, Argument("experiment", "demo"),
    // --model=a,b restricts the per-model units to those models (one slice of a CI matrix).
    CakeSelection.List(Arguments<string>("model", new string[0])),
    // --run=1,2 restricts the per-run units: Train's, and with runs.resample each run's Sample, Split and Embed.
    CakeSelection.List(Arguments<string>("run", new string[0])),
    // --device=auto|cpu|cuda: where Train runs, over the experiment's train.device (recorded; never part of a key).
    Argument("device", ""), Flag("locked"), Flag("force"));
// --gpu=true builds with -p:Gpu=true (the CUDA packages of ONNX Runtime and TorchSharp) into bin/lmev-gpu, so the
// CPU build in bin/lmev is never overwritten; the project's own intermediate files go to obj-gpu/ (Directory.Build.props).
var gpu = Flag("gpu");
var output = gpu ? "bin/lmev-gpu" : "bin/lmev";
var lmev = MakeAbsolute(File($"{output}/lmev.dll"));
// The steps and the arguments each takes, as lmev lists them once it is built.
var steps = new Dictionary<string, LmevStep>();

void RunLmev(string[] args)
{
    Information("lmev " + string.Join(" ", args));
    var builder = new ProcessArgumentBuilder();
    foreach (var a in args) builder.AppendQuoted(a);
    DotNetExecute(lmev, builder);
}

/// Runs `lmev STEP` with the selection arguments that step takes.
void Lmev(string step)
{
    if (step == "status") { RunLmev(selection.Status()); return; }
    var s = steps[step];
    RunLmev(selection.Step(s.Name, s.Target, s.Arguments));
}

/// Builds lmev, reads its steps, then checks the experiment, the selection and every argument name before any step runs.
void BuildLmev()
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
    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = $"\"{lmev}\" steps --json", RedirectStandardOutput = true }, out var json);
    if (exit != 0) throw new Exception($"`lmev steps --json` failed with exit code {exit}");
    var options = new System.Text.Json.JsonSerializerOptions { PropertyNameCaseInsensitive = true };
    foreach (var s in System.Text.Json.JsonSerializer.Deserialize<LmevStep[]>(string.Join("\n", json), options)) steps[s.Name] = s;
    RunLmev(selection.Check(Context.Arguments.GetArguments().Keys));
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
