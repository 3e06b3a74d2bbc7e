using System.Diagnostics;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Faults;

/// <summary>Four whole pipelines at once, each its own project folder and `lmev` processes, on one shared cache.</summary>
[Trait("Category", "Faults")]
public sealed class ConcurrentPipelinesTests(ITestOutputHelper output)
{
    private const int Pipelines = 4;

    [Fact]
    public async Task Four_whole_pipelines_at_once_on_one_cache_all_succeed_and_give_identical_reports()
    {
        using var cache = new TempDir();
        var projects = Enumerable.Range(0, Pipelines).Select(_ => FaultSupport.TinyProject()).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            var start = new Barrier(Pipelines);
            var races = 0; // units two pipelines ran at once, the second to publish taking the first's entry
            // Each pipeline runs the ten steps in order, one `lmev` process per step, as Cake does; the four start together.
            var runs = projects.Select(project => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                foreach (var step in ExperimentFlow.StepNames)
                {
                    var (code, log) = LmevProcess.Run(project, step, "--cache", cache.Path);
                    Interlocked.Add(ref races, log.Split('\n').Count(l => l.Contains("another process published this entry first", StringComparison.Ordinal)));
                    if (code != 0) return $"{project.Root}: lmev {step} exited {code}: {log}";
                }
                return null;
            }, TaskCreationOptions.LongRunning)).ToList();
            var failures = (await Task.WhenAll(runs)).OfType<string>().ToList();
            var succeeded = Pipelines - failures.Count;

            // The reports, and the whole of report/ and saved_models/, byte for byte (the report holds no date or time).
            var reports = projects.Select(p => FaultSupport.Tree(Path.Combine(p.Root, "report"))).ToList();
            var models = projects.Select(p => FaultSupport.Tree(Path.Combine(p.Root, "saved_models"))).ToList();
            Assert.Contains("README.md", reports[0].Keys);
            Assert.Contains("index.html", reports[0].Keys);
            var identical = Enumerable.Range(0, Pipelines).Count(i => reports[i].SequenceEqual(reports[0]) && models[i].SequenceEqual(models[0]));
            if (identical != Pipelines) failures.Add($"report/ or saved_models/ differ between the pipelines: {identical}/{Pipelines} equal the first's");

            // One entry per key the experiment reaches, none damaged, nothing left in .tmp.
            var flow = new ExperimentFlow(Experiment.Load(projects[0].Root, "demo"), new FlowOptions(projects[0].Root, cache.Path, _ => { }));
            var reachable = flow.Reachable().Select(r => $"{r.Stage}/{r.Key}").Distinct().Order(StringComparer.Ordinal).ToList(); // two units may share a key (r16 and r16-ft build one table)
            var entries = flow.Cache.Entries().Select(e => $"{e.Stage}/{e.Key}").Order(StringComparer.Ordinal).ToList();
            if (!entries.SequenceEqual(reachable))
                failures.Add($"the cache holds [{string.Join(", ", entries.Except(reachable))}] beyond, and lacks [{string.Join(", ", reachable.Except(entries))}] of, the experiment's entries");
            var problems = FaultSupport.Problems(cache.Path);
            failures.AddRange(problems);
            var damaged = entries.Count - FaultSupport.WholeEntries(cache.Path).Count;
            var tmp = Path.Combine(cache.Path, StageCache.TempFolder);
            if (Directory.Exists(tmp) && Directory.EnumerateFileSystemEntries(tmp).Any())
                failures.Add($"{tmp} still holds {string.Join(", ", Directory.EnumerateFileSystemEntries(tmp).Select(f => Path.GetFileName(f)))}");

            output.WriteLine($"faults: {Pipelines} concurrent pipelines on one cache: {succeeded}/{Pipelines} succeeded, {identical}/{Pipelines} identical reports, " +
                $"{entries.Count} entries, {damaged} damaged ({races} units raced to publish; {ExperimentFlow.StepNames.Count * Pipelines} lmev processes in {clock.Elapsed.TotalSeconds:F0} s)");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally
        {
            foreach (var p in projects) p.Dispose();
        }
    }
}
