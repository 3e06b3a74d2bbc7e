namespace Lmev.Contracts.Results;

/// <summary>
/// One row of runs.csv: every field a run recorded, flattened, plus its <see cref="Status"/>. A
/// missing or corrupt run keeps its model and run number; its other fields are null.
/// <see cref="Baseline"/>: the run is of a baseline (fasttext), not of an embedding model.
/// </summary>
public sealed record RunRow(
    string Experiment,
    string Model,
    int Run,
    string Status,
    string? Language = null,
    int? Dim = null,
    bool? Normalization = null,
    string? Mode = null,
    ulong? Seed = null,
    int? Classes = null,
    long? TrainRows = null,
    long? ValRows = null,
    long? TestRows = null,
    double? TestBac = null,
    double? Accuracy = null,
    double? MacroF1 = null,
    int? EpochsRun = null,
    int? BestEpoch = null,
    double? BestValLoss = null,
    double? TrainSeconds = null,
    double? WallSeconds = null,
    string? Device = null,
    int? Threads = null,
    bool Baseline = false)
{
    public bool IsOk => RunStatus.IsOk(Status);

    public static RunRow From(RunMetrics m, string status) => new(
        m.Experiment, m.Model, m.Run, status, m.Language, m.Dim, m.Normalization, m.Mode, m.Seed, m.Classes,
        m.TrainRows, m.ValRows, m.TestRows, m.Test.BalancedAccuracy, m.Test.Accuracy, m.Test.MacroF1,
        m.EpochsRun, m.BestEpoch, m.BestValLoss, m.TrainSeconds, m.WallSeconds, m.Device, m.Threads, m.Baseline);
}
