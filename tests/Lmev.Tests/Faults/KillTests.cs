using System.Diagnostics;
using System.Text.Json.Nodes;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;
using Lmev.Contracts;

namespace Lmev.Tests.Faults;

/// <summary>
/// SIGKILL in every step at named points (<see cref="FaultPoint"/>) and at one random moment, then a rerun: no entry is
/// ever half there or lost, and the rerun's outputs are byte for byte those of an uninterrupted run.
/// </summary>
[Trait("Category", "Faults")]
public sealed class KillTests(ITestOutputHelper output)
{
    /// <summary>Replays the random delays of a failed run (the seed is in its summary line).</summary>
    public const string SeedVariable = "LMEV_FAULTS_SEED";

    private static readonly string[] NamedPoints = ["started", "ran", "assembled", "published"];

    /// <summary>The steps that copy their entries to a folder people open, where "linking" kills midway through the copy.</summary>
    private static readonly string[] Linking = ["train", "report"];

    private const int Sigkilled = 128 + 9;

    private sealed record Outcome(int ExitCode, string Output, TimeSpan? SinceStarted);

    /// <summary>
    /// Runs `lmev STEP` as a process. With <paramref name="fault"/>, it is killed by its own <see cref="FaultPoint"/>; with
    /// <paramref name="killAfterStart"/>, this test kills it that long after its first new temporary folder appears.
    /// <see cref="Outcome.SinceStarted"/>: from that folder's appearance to the process's end.
    /// </summary>
    private static Outcome RunStep(TestProject project, string step, string? fault = null, TimeSpan? killAfterStart = null)
    {
        var tmp = Path.Combine(project.CacheRoot, StageCache.TempFolder);
        string[] Listing() => Directory.Exists(tmp) ? Directory.GetFileSystemEntries(tmp).Select(f => Path.GetFileName(f)).ToArray() : [];
        var before = Listing().ToHashSet();
        var env = new Dictionary<string, string>();
        if (fault is not null) env[FaultPoint.Variable] = $"{step}:{fault}";
        using var p = LmevProcess.Start(project, env, step);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Stopwatch? sinceStarted = null;
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (Listing().Any(n => n.StartsWith(step + "-", StringComparison.Ordinal) && !before.Contains(n))) { sinceStarted = Stopwatch.StartNew(); break; }
            Thread.Sleep(1);
        }
        if (sinceStarted is not null && killAfterStart is { } delay)
        {
            while (sinceStarted.Elapsed < delay && !p.HasExited) Thread.Yield();
            try { if (!p.HasExited) p.Kill(); } // SIGKILL
            catch (InvalidOperationException) { } // it ended meanwhile
        }
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"lmev {step} did not finish"); }
        return new(p.ExitCode, stdout.Result + stderr.Result, sinceStarted?.Elapsed);
    }

    private static Dictionary<string, Manifest> EntriesOf(TestProject project, string stage) =>
        new StageCache(project.CacheRoot).Entries().Where(e => e.Stage == stage).ToDictionary(e => e.Key, e => Manifest.Read(e.Directory));

    /// <summary>Differences between two projects' entries of <paramref name="stages"/>: keys, output names, sha256 (train's metrics.json with durations aside).</summary>
    private static List<string> CompareEntries(TestProject a, TestProject b, IEnumerable<string> stages, ref int filesCompared)
    {
        var differences = new List<string>();
        foreach (var stage in stages)
        {
            var ea = EntriesOf(a, stage);
            var eb = EntriesOf(b, stage);
            if (!ea.Keys.Order().SequenceEqual(eb.Keys.Order()))
            {
                differences.Add($"{stage}: keys [{string.Join(", ", ea.Keys.Order())}] uninterrupted, [{string.Join(", ", eb.Keys.Order())}] after kills");
                continue;
            }
            foreach (var (key, ma) in ea)
            {
                var mb = eb[key];
                if (!ma.Outputs.Keys.SequenceEqual(mb.Outputs.Keys)) { differences.Add($"{stage}/{key}: outputs differ"); continue; }
                foreach (var (file, ra) in ma.Outputs)
                {
                    filesCompared++;
                    var same = stage == "train" && file == RunMetrics.FileName
                        ? FaultSupport.MetricsWithoutDurations(File.ReadAllText(Path.Combine(ma.Directory, file)))
                            == FaultSupport.MetricsWithoutDurations(File.ReadAllText(Path.Combine(mb.Directory, file)))
                        : ra.Sha256 == mb.Outputs[file].Sha256;
                    if (!same) differences.Add($"{stage}/{key}/{file}: differs from the uninterrupted run's");
                }
            }
        }
        return differences;
    }

    private static List<string> CompareFolders(TestProject a, TestProject b)
    {
        var differences = new List<string>();
        string[] Top(TestProject p) => Directory.GetFileSystemEntries(p.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        if (!Top(a).SequenceEqual(Top(b))) differences.Add($"project folder holds [{string.Join(", ", Top(b))}], uninterrupted [{string.Join(", ", Top(a))}]");
        foreach (var folder in new[] { "saved_models", "report" })
        {
            var ta = FaultSupport.Tree(Path.Combine(a.Root, folder));
            var tb = FaultSupport.Tree(Path.Combine(b.Root, folder));
            if (ta.Count == 0) differences.Add($"{folder}/: empty in the uninterrupted run");
            foreach (var f in ta.Keys.Union(tb.Keys).Order(StringComparer.Ordinal))
                if (ta.GetValueOrDefault(f) != tb.GetValueOrDefault(f)) differences.Add($"{folder}/{f}: {(tb.ContainsKey(f) ? ta.ContainsKey(f) ? "differs" : "only after kills" : "missing after kills")}");
        }
        return differences;
    }

    [Fact]
    public void Sigkill_at_every_point_of_every_step_loses_no_entry_and_the_reruns_match_an_uninterrupted_run()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        var steps = ExperimentFlow.StepNames;
        var upToTrain = steps.Take(steps.ToList().IndexOf("train") + 1).ToList();
        var afterTrain = steps.Skip(upToTrain.Count).ToList();
        using var a = FaultSupport.TinyProject(); // the uninterrupted run
        using var b = FaultSupport.TinyProject(); // the killed one
        var failures = new List<string>();
        var stepTime = new Dictionary<string, TimeSpan>();
        int kills = 0, lost = 0, randomLanded = 0, filesCompared = 0, pointsMin = int.MaxValue, pointsMax = 0;

        void Uninterrupted(string step)
        {
            var run = RunStep(a, step);
            Assert.True(run.ExitCode == 0, $"uninterrupted {step}: {run.Output}");
            stepTime[step] = run.SinceStarted ?? TimeSpan.Zero;
        }

        void KillThenRerun(string step)
        {
            var points = new List<string> { "random" };
            points.AddRange(NamedPoints);
            if (Linking.Contains(step)) points.Add("linking");
            (pointsMin, pointsMax) = (Math.Min(pointsMin, points.Count), Math.Max(pointsMax, points.Count));
            foreach (var point in points)
            {
                var before = FaultSupport.WholeEntries(b.CacheRoot);
                var delay = stepTime[step] * random.NextDouble();
                var run = point == "random" ? RunStep(b, step, killAfterStart: delay) : RunStep(b, step, fault: point);
                var where = point == "random" ? $"{step} killed {delay.TotalMilliseconds:F0} ms after its temporary folder appeared" : $"{step}:{point}";
                if (run.ExitCode == Sigkilled)
                {
                    kills++;
                    if (point == "random") randomLanded++;
                }
                else if (point != "random" || run.ExitCode != 0) failures.Add($"{where}: exit {run.ExitCode}, expected death by SIGKILL: {run.Output}");
                failures.AddRange(FaultSupport.Problems(b.CacheRoot).Select(p => $"after {where}: {p}"));
                var missing = before.Except(FaultSupport.WholeEntries(b.CacheRoot)).ToList();
                lost += missing.Count;
                failures.AddRange(missing.Select(e => $"after {where}: entry {e} lost"));
                // The named points need a unit still to run: if the random kill came too late for that, start the step afresh.
                if (point == "random" && EntriesOf(b, step).Count == EntriesOf(a, step).Count)
                    foreach (var key in EntriesOf(b, step).Keys) new StageCache(b.CacheRoot).Remove(step, key);
            }
            var rerun = RunStep(b, step);
            Assert.True(rerun.ExitCode == 0, $"{step} after the kills: {rerun.Output}");
        }

        var clock = Stopwatch.StartNew();
        foreach (var step in upToTrain) Uninterrupted(step);
        foreach (var step in upToTrain) KillThenRerun(step);
        failures.AddRange(CompareEntries(a, b, upToTrain, ref filesCompared));
        // Train's runs measured their own durations, which reach Aggregate's inputs and so every key after it: the
        // uninterrupted run takes the killed project's train entries (equal but for those durations, as just checked)
        // so that Aggregate, Plot and Report can be compared byte for byte with the same inputs.
        foreach (var (key, m) in EntriesOf(b, "train"))
        {
            var target = new StageCache(a.CacheRoot).EntryDirectory("train", key);
            Directory.Delete(target, recursive: true);
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(m.Directory)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        Uninterrupted("train"); // cached: copies those entries to saved_models/
        foreach (var step in afterTrain) Uninterrupted(step);
        foreach (var step in afterTrain) KillThenRerun(step);
        failures.AddRange(CompareEntries(a, b, afterTrain, ref filesCompared));
        failures.AddRange(CompareFolders(a, b));
        var tmp = Path.Combine(b.CacheRoot, StageCache.TempFolder);
        if (Directory.Exists(tmp) && Directory.EnumerateFileSystemEntries(tmp).Any())
            failures.Add($"{tmp} still holds {string.Join(", ", Directory.EnumerateFileSystemEntries(tmp).Select(Path.GetFileName))}");

        var identical = !failures.Any(f => f.Contains("differs", StringComparison.Ordinal) || f.Contains("keys [", StringComparison.Ordinal)
            || f.Contains("only after kills", StringComparison.Ordinal) || f.Contains("missing after kills", StringComparison.Ordinal) || f.Contains("project folder holds", StringComparison.Ordinal));
        var whole = !failures.Any(f => f.StartsWith("after ", StringComparison.Ordinal));
        output.WriteLine($"faults: {kills} kills over {steps.Count} stages ({pointsMin}-{pointsMax} points each: {string.Join(", ", NamedPoints)}, " +
            $"linking in {string.Join(" and ", Linking)}, and one random moment, which landed before the step ended in {randomLanded}/{steps.Count}; " +
            $"random delays seed {seed}, replay with {SeedVariable}={seed}), {lost} entries lost, entries whole after every kill: {(whole ? "yes" : "no")}, " +
            $"rerun byte-identical: {(identical ? "yes" : "no")} ({filesCompared} cached files compared, train's metrics.json with its measured durations aside; " +
            $"saved_models/ and report/ whole) in {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
