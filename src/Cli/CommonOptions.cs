using System.CommandLine;
using Lmev.Flow;
using Lmev.Pipeline.Remote;
using Lmev.Training;

namespace Lmev.Cli;

/// <summary>The options several commands share, and how a command turns them into the project's folders and the experiment's flow.</summary>
internal static class CommonOptions
{
    public static readonly Option<string> ExperimentName = new("--experiment", "-e")
    {
        Description = "Experiment to run: the name of a file in experiments/ (without .json)",
        DefaultValueFactory = _ => "demo",
    };

    public static readonly Option<DirectoryInfo> ProjectRoot = new("--root")
    {
        Description = "Project folder holding data.lock.json and experiments/",
        DefaultValueFactory = _ => new DirectoryInfo(Directory.GetCurrentDirectory()),
    };

    public static readonly Option<DirectoryInfo?> CacheFolder = new("--cache") { Description = "Stage cache folder (default: <root>/cache, or $LMEV_CACHE)" };

    public static readonly Option<string[]> ModelNames = new("--model", "-m")
    {
        Description = "Only these models (repeatable; for a CI matrix slice); default: every model of the experiment",
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<int[]> RunNumbers = new("--run", "-r")
    {
        Description = "Only these run numbers (repeatable): Train's runs, and with runs.resample each run's Sample, Split and Embed; default: 1..runs",
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<DeviceRequest?> DeviceChoice = DeviceOption(
        "Train on: auto (CUDA when the build has it and a device answers, else the CPU), cpu, or cuda (an error without one); " +
        "default: the experiment's train.device, else auto. Recorded, never part of a cache key");

    /// <summary>`predict`'s --device: the same values, its default the run's own request.</summary>
    public static readonly Option<DeviceRequest?> PredictDevice = DeviceOption(
        "Classify on: auto (CUDA when the build has it and a device answers, else the CPU), cpu, or cuda (an error without one); " +
        "default: the device request the run was trained with (its metrics.json), auto for an exported classifier");

    private static Option<DeviceRequest?> DeviceOption(string description) => new("--device")
    {
        Description = description,
        CustomParser = result =>
        {
            var given = result.Tokens.Single().Value;
            foreach (var device in Enum.GetValues<DeviceRequest>())
                if (device.ToString().ToLowerInvariant() == given) return device;
            result.AddError($"--device {given}: expected one of {string.Join(", ", Enum.GetValues<DeviceRequest>().Select(d => d.ToString().ToLowerInvariant()))}");
            return null;
        },
    };

    /// <summary>The one trained model `predict` and `export-onnx` use.</summary>
    public static readonly Option<string?> ModelToUse = new("--model", "-m") { Description = "The trained model: its name in the experiment (saved_models/<experiment>/<model>/)" };

    /// <summary>The one run `predict` and `export-onnx` use: a number, or the best by validation balanced accuracy.</summary>
    public static readonly Option<string> RunToUse = new("--run", "-r")
    {
        Description = "Which run: its number, or best (the highest validation balanced accuracy at its best epoch; said in the output)",
        DefaultValueFactory = _ => "best",
    };

    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "Threads for libtorch and ONNX Runtime, 0 for their defaults (about one per core); default: a trained run's own (its params.json), an exported classifier's 0",
    };

    public static readonly Option<string?> RemoteUrl = new("--remote")
    {
        Description = "The cache's remote: s3://bucket/prefix[?endpoint=…&region=…&path-style=true], https://host/path (read-only) or a folder; " +
                      "default: $LMEV_REMOTE, else remote.url in lmev.local.json or lmev.json; \"\" for none. Credentials: the AWS chain, never here",
    };

    public static readonly Option<bool> Force = new("--force") { Description = "Run the step even if its cache entry exists" };
    public static readonly Option<bool> Locked = new("--locked") { Description = "Refuse any change to data.lock.json (CI): an empty or different sha256 is an error" };
    public static readonly Option<bool> Partial = new("--partial") { Description = "Aggregate, plot or report the runs trained so far even when none is (by default these steps wait for at least one trained run)" };
    public static readonly Option<bool> Strict = new("--strict") { Description = "Stop at the first bad input row, naming file:line and the reason, instead of skipping and counting it" };

    public static string RootOf(ParseResult p) => p.GetValue(ProjectRoot)!.FullName;

    /// <summary>The stage cache: --cache, else $LMEV_CACHE, else &lt;root&gt;/cache.</summary>
    public static string CacheRootOf(ParseResult p) => p.GetValue(CacheFolder)?.FullName
        ?? (Environment.GetEnvironmentVariable("LMEV_CACHE") is { Length: > 0 } env ? Path.GetFullPath(env) : Path.Combine(RootOf(p), "cache"));

    /// <summary>
    /// The experiment's flow as the options say. <paramref name="readOnly"/> for a command that only looks (check, status, verify,
    /// gc, cache export): it writes no lock, ref or hash index, and starts no process.
    /// </summary>
    /// <param name="remote">Use the project's remote (<see cref="RemoteOf"/>): the steps, status and `cache pull`.</param>
    public static ExperimentFlow FlowOf(ParseResult p, bool readOnly = false, string? experimentName = null, bool remote = false)
    {
        var experiment = Lmev.Flow.Experiment.Load(RootOf(p), experimentName ?? p.GetValue(ExperimentName)!);
        var options = new FlowOptions(RootOf(p), CacheRootOf(p), Console.WriteLine,
            Force: p.GetValue(Force), Locked: p.GetValue(Locked), Strict: p.GetValue(Strict), Models: p.GetValue(ModelNames), Runs: p.GetValue(RunNumbers),
            Device: p.GetValue(DeviceChoice), Partial: p.GetValue(Partial), ReadOnly: readOnly, Remote: remote ? RemoteOf(p) : null);
        return new ExperimentFlow(experiment, options);
    }

    /// <summary>The project's remote (--remote, $LMEV_REMOTE, lmev.local.json, lmev.json), opened; null when it has none.</summary>
    public static RemoteUse? RemoteOf(ParseResult p)
    {
        var settings = RemoteSettings.Resolve(RootOf(p), p.CommandResult.Command.Options.Contains(RemoteUrl) ? p.GetValue(RemoteUrl) : null);
        if (settings is null) return null;
        var store = Lmev.Pipeline.Remote.RemoteUrl.Open(settings.Url, RootOf(p), RemoteTimeout, settings.Source);
        return new RemoteUse(new RemoteTier(store, Console.WriteLine), settings.Push, settings.Omit.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Longest wait to connect, for an answer, and between two reads of a remote object.</summary>
    private static readonly TimeSpan RemoteTimeout = TimeSpan.FromSeconds(100);
}
