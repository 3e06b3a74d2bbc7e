using Lmev.Pipeline;
using Lmev.Pipeline.Results;
using Lmev.Tests.Support;

namespace Lmev.Tests.Report;

/// <summary>Made-up training runs for the Aggregate, Plot and Report tests.</summary>
internal static class Runs
{
    public static RunMetrics Make(string model, int run, double bac, string language = "es", int dim = 50, bool normalization = true,
        string device = "cpu: test", double seconds = 10, int epochs = 4, double lossScale = 1)
    {
        var curve = Enumerable.Range(1, epochs)
            .Select(e => new EpochMetrics(e, lossScale * (3.0 / e), lossScale * (2.5 / e + 0.05 * e), bac * e / epochs, 1.5))
            .ToList();
        var best = curve.MinBy(e => e.ValLoss)!;
        return new RunMetrics("test", model, language, dim, normalization, "frozen", run, 1000UL + (ulong)run, 120, 17100, 900, 2000,
            curve, epochs, best.Epoch, best.ValLoss, new TestMetrics(bac, bac + 0.03, bac - 0.02), seconds, seconds + 1,
            device, 2, new SortedDictionary<string, string> { ["torchsharp"] = "0.107.0", ["lmev"] = "0.1.0" });
    }

    /// <summary>Writes each run's metrics.json under <paramref name="dir"/> and returns the runs as stage inputs.</summary>
    public static List<RunInput> Write(TempDir dir, IEnumerable<RunMetrics> runs) =>
        runs.Select(m =>
        {
            var path = dir.File($"runs/{m.Model}/{m.Run}/{RunMetrics.FileName}");
            m.Write(path);
            return new RunInput(m.Model, m.Run, StageRunner.FileArtifact(path));
        }).ToList();

    /// <summary>Two Spanish and one English model, 3 runs each, Spanish clearly better.</summary>
    public static List<RunMetrics> Small() =>
    [
        .. new[] { 0.80, 0.81, 0.82 }.Select((b, i) => Make("es-dim50-norm", i + 1, b, "es", 50, true, seconds: 10 + i)),
        .. new[] { 0.76, 0.77, 0.78 }.Select((b, i) => Make("es-dim128", i + 1, b, "es", 128, false, seconds: 20 + i, lossScale: 1.1)),
        .. new[] { 0.70, 0.71, 0.72 }.Select((b, i) => Make("en-dim50-norm-with-a-rather-long-name", i + 1, b, "en", 50, true, device: "cuda: NVIDIA H200", seconds: 3 + i, lossScale: 1.2)),
    ];
}
