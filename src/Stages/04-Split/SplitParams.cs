namespace Lmev.Stages.Split;

/// <summary>
/// The study's split: <paramref name="TestRows"/> rows for test, then <paramref name="ValidationFraction"/>
/// of the rest for validation (Keras' <c>validation_split</c>: the last 5 %), the remainder for training.
/// With <paramref name="TestSource"/> (a data.lock.json entry with the dataset's columns, read through the same
/// filter) its rows are the test split and the sample gives train and validation only (<paramref name="TestRows"/> 0).
/// </summary>
public sealed record SplitParams(
    int TestRows = 0,
    double ValidationFraction = 0.05,
    ulong Seed = 1,
    // Left out of the JSON (and so of the key) when unset: experiments without it keep their entries.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? TestSource = null);
