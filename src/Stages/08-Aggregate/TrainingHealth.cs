using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Contracts;

namespace Lmev.Stages.Aggregate;

/// <summary>
/// How each usable run's training ended. A run that used every allowed epoch with its validation loss
/// still falling at the last one may be undertrained (the study capped training at 10 epochs); a run
/// that stopped before the cap was stopped early, at that epoch.
/// </summary>
internal static class TrainingHealth
{
    public static RunHealth Of(RunMetrics m, int? maxEpochs)
    {
        var stoppedEarly = maxEpochs is { } cap && m.EpochsRun < cap;
        bool? stillImproving = m.Epochs.Count >= 2
            ? !stoppedEarly && m.Epochs[^1].ValLoss < m.Epochs[^2].ValLoss
            : null;
        return new RunHealth(m.Model, m.Run, m.EpochsRun, m.BestEpoch, stillImproving, stoppedEarly ? m.EpochsRun : null);
    }

    public static List<ModelHealth> PerModel(IEnumerable<RunHealth> runs) => runs
        .GroupBy(r => r.Model, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => new ModelHealth(g.Key, g.Count(), g.Count(r => r.StillImproving == true), g.Count(r => r.StoppedEarlyAt is not null), g.Count(r => r.StillImproving is null)))
        .ToList();
}
