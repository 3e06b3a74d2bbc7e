using System.Text.Json;
using System.Text.Json.Serialization;
using Lmev.Pipeline;

namespace Lmev.Contracts;

/// <summary>One epoch of one training run. Losses are NaN when the run diverged.</summary>
public sealed record EpochMetrics(int Epoch, double Loss, double ValLoss, double ValBalancedAccuracy, double Seconds);

/// <summary>
/// Scores on the test split. <paramref name="BalancedAccuracy"/> is scikit-learn's: the mean recall
/// over the classes present in y_true. Accuracy and macro-F1 are null only for runs imported from
/// elsewhere that did not record them (the study's published runs).
/// </summary>
public sealed record TestMetrics(double BalancedAccuracy, double? Accuracy = null, double? MacroF1 = null);

/// <summary>
/// <c>metrics.json</c>: everything one training run (one model, one run number) recorded. Written by
/// Train, read by Aggregate and Plot. Fields a foreign run cannot supply (the study's published runs
/// have no seed, per-epoch losses or wall time) are nullable or empty.
/// </summary>
/// <param name="Language">"es", "en", or "none" for the random baselines.</param>
/// <param name="Mode">"frozen" or "fine-tune"; "supervised" for a fasttext baseline.</param>
/// <param name="Device">The device the run trained on, as the run saw it ("cpu: AMD EPYC…", "Tesla T4").</param>
/// <param name="DeviceRequested">What was asked for (train.device or --device) and what auto became; null in runs from before it was recorded.</param>
public sealed record RunMetrics(
    string Experiment,
    string Model,
    string Language,
    int Dim,
    bool Normalization,
    string Mode,
    int Run,
    ulong? Seed,
    int Classes,
    long TrainRows,
    long ValRows,
    long TestRows,
    IReadOnlyList<EpochMetrics> Epochs,
    int EpochsRun,
    int? BestEpoch,
    double BestValLoss,
    TestMetrics Test,
    double TrainSeconds,
    double? WallSeconds,
    string Device,
    int? Threads,
    SortedDictionary<string, string> Versions,
    string? DeviceRequested = null)
{
    public const string FileName = "metrics.json";

    /// <summary>
    /// The run is of a baseline (a fasttext model), not of an embedding model; the report marks it.
    /// Written only when true, so the metrics.json of every other run is as before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Baseline { get; init; }

    /// <summary>
    /// camelCase, indented; NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity" (a diverged
    /// run's losses), since JSON has no such numbers. Unknown members are ignored so that a newer
    /// Train can add fields without turning older readers' runs "corrupt".
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(CanonicalJson.Options)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>True when a loss or the test score is NaN or infinite: the run diverged.</summary>
    [JsonIgnore]
    public bool Diverged =>
        !double.IsFinite(Test.BalancedAccuracy) || !double.IsFinite(BestValLoss)
        || Epochs.Any(e => !double.IsFinite(e.Loss) || !double.IsFinite(e.ValLoss));

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Write(string path) => File.WriteAllText(path, ToJson() + "\n");

    /// <summary>Reads a metrics.json; an error names the file, the line and the JSON path.</summary>
    public static RunMetrics Read(string path) => JsonFile.Read<RunMetrics>(path, Json, $"the {FileName} of a training run");
}
