namespace Lmev.Contracts.Results;

/// <summary>
/// How one run's training ended: <see cref="StillImproving"/> when it used every allowed epoch and its
/// validation loss was still falling at the last one (possibly undertrained; null when the run recorded
/// no per-epoch losses); <see cref="StoppedEarlyAt"/> the epoch at which early stopping ended it.
/// </summary>
public sealed record RunHealth(string Model, int Run, int EpochsRun, int? BestEpoch, bool? StillImproving, int? StoppedEarlyAt);
