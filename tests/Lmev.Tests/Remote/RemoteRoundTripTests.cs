using System.Diagnostics;
using System.Text.RegularExpressions;
using Lmev.Flow;
using Lmev.Tests.Download;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Remote;

/// <summary>A project that ran its experiment to the report (two quick models, two runs each on their own samples): what is pushed.</summary>
public sealed class PushedProject : IDisposable
{
    public PushedProject()
    {
        Project = Transfer.FanOutTests.Project();
        Project.RunAll(last: "report");
    }

    public TestProject Project { get; }

    /// <summary>An empty project with the same experiment: a second clone with an empty cache.</summary>
    public TestProject Reader()
    {
        var reader = new TestProject();
        File.Copy(Lmev.Flow.Experiment.FilePath(Project.Root, "demo"), Lmev.Flow.Experiment.FilePath(reader.Root, "demo"), overwrite: true);
        return reader;
    }

    public void Dispose() => Project.Dispose();
}

/// <summary>
/// The issue's acceptance, through the `lmev` program as a user types it: the experiment pushed from one project (its runs without
/// model.dat) to a remote, then a second project with an empty cache runs every step against that remote: every unit is `cached
/// (remote)`, no stage body runs, and its report is the first's, byte for byte. Over S3 (an s3rver on the loopback), over http(s)
/// (a static web server on the loopback serving a folder the push filled) and a folder.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed partial class RemoteRoundTripTests(PushedProject source, ITestOutputHelper output) : IClassFixture<PushedProject>
{
    [GeneratedRegex(@": cached \(remote\) \([0-9a-f]{16}\): (\d+) files?, ([\d.]+) (B|KiB|MiB)")]
    private static partial Regex Pulled();

    [SkippableTheory]
    [InlineData("s3")]
    [InlineData("https")]
    [InlineData("folder")]
    public void A_report_pushed_from_one_project_is_regenerated_in_another_with_an_empty_cache_and_no_stage_run(string kind)
    {
        using var s3 = kind == "s3" ? S3rver.Start() : null;
        using var folder = new TempDir();
        var environment = kind == "s3" ? S3rver.Credentials() : [];
        var pushTo = kind == "s3" ? s3!.Url("round-trip") : folder.Path;
        var (code, pushed) = LmevProcess.Run(source.Project, environment, "cache", "push", "--experiment", "demo", "--omit", "model.dat", "--remote", pushTo);
        output.WriteLine(pushed);
        Assert.True(code == 0, pushed);
        Assert.Contains("train [r16/run-1]: pushed (", pushed);
        Assert.Contains("without model.dat", pushed);

        // A static web server over the folder the push filled; http on the loopback stands for https (the same store, another scheme).
        using var web = kind == "https" ? LoopbackHttpServer.Folder(folder.Path) : null;
        var remote = web is not null ? web.Origin + "/" : pushTo;
        using var reader = source.Reader();
        var clock = Stopwatch.StartNew();
        var log = new List<string>();
        foreach (var step in ExperimentFlow.StepNames)
        {
            var (c, o) = LmevProcess.Run(reader, environment, step, "--experiment", "demo", "--remote", remote);
            Assert.True(c == 0, $"lmev {step}: {o}");
            log.AddRange(o.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        clock.Stop();

        Assert.DoesNotContain(log, l => l.Contains(": running (", StringComparison.Ordinal));
        // One pull per entry: two units that share one (a table both models read) find it pulled already.
        var units = source.Project.Flow().Status().Select(s => (s.Step, s.Key)).Distinct().Count();
        var pulls = log.Select(l => Pulled().Match(l)).Where(m => m.Success).ToList();
        Assert.True(pulls.Count == units, $"expected every one of the {units} entries cached (remote), found {pulls.Count}:\n{string.Join("\n", log)}");
        var bytes = pulls.Sum(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) *
            (m.Groups[3].Value switch { "MiB" => 1 << 20, "KiB" => 1 << 10, _ => 1 }));
        output.WriteLine($"{kind}: {units} units pulled, {pulls.Sum(m => int.Parse(m.Groups[1].Value))} files, {bytes / 1024:F0} KiB, " +
            $"{clock.Elapsed.TotalSeconds:F1} s for the {ExperimentFlow.StepNames.Count} `lmev` steps");

        // The same report: the entries are the first project's, verified.
        var expected = Path.Combine(source.Project.Root, "report");
        var actual = Path.Combine(reader.Root, "report");
        var files = Directory.EnumerateFiles(expected).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Directory.EnumerateFiles(actual).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var f in files) Assert.True(File.ReadAllBytes(Path.Combine(expected, f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f!))), $"report/{f} differs");
        var run = Path.Combine(reader.Root, "saved_models", "demo", "r16-ft", "run-2");
        Assert.True(File.Exists(Path.Combine(run, "metrics.json")), $"{run}/metrics.json");
        Assert.False(File.Exists(Path.Combine(run, "model.dat")), $"{run}/model.dat was pushed without its weights");

        var (statusCode, status) = LmevProcess.Run(reader, environment, "status", "--experiment", "demo", "--remote", remote);
        Assert.True(statusCode == 0, status);
        Assert.Contains("everything is up to date", status);
    }
}
