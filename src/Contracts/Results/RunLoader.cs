using Lmev.Pipeline;
namespace Lmev.Contracts.Results;

/// <summary>Reads one run's metrics.json and decides its status; never throws for a bad run.</summary>
public static class RunLoader
{
    /// <param name="traits">What the experiment says of the run's model: its labels stand over the ones the run recorded.</param>
    /// <returns>The run's row, and its metrics when the file could be read (also for a diverged run).</returns>
    public static (RunRow Row, RunMetrics? Metrics) Load(RunInput input, string experiment, string? path, ModelTraits? traits = null)
    {
        if (path is null || !File.Exists(path)) return (new RunRow(experiment, input.Model, input.Run, RunStatus.Missing), null);
        RunMetrics m;
        try { m = RunMetrics.Read(path); }
        catch (LmevException e) { return (new RunRow(experiment, input.Model, input.Run, RunStatus.Corrupt(Reason(e.Message, path))), null); }
        if (m.Model != input.Model || m.Run != input.Run)
        {
            var reason = $"file is for model '{m.Model}' run {m.Run}, expected model '{input.Model}' run {input.Run}";
            return (new RunRow(experiment, input.Model, input.Run, RunStatus.Corrupt(reason)), null);
        }
        // The experiment in force names the run, and labels it where it says: a run reused under a renamed experiment, or a model
        // relabelled, shows as the experiment says now.
        var row = RunRow.From(m, m.Diverged ? RunStatus.Diverged : RunStatus.Ok) with
        {
            Experiment = experiment,
            Language = traits?.Language ?? m.Language,
            Normalization = traits?.Normalization ?? m.Normalization,
        };
        return (row, m);
    }

    // The cache path says nothing to a reader of runs.csv; the line and JSON path do.
    private static string Reason(string message, string path) =>
        message.StartsWith(path, StringComparison.Ordinal) ? "metrics.json" + message[path.Length..] : message;
}
