using System.Text.Json.Nodes;
using Lmev.Pipeline;

namespace Lmev.Stages.Report;

/// <summary>
/// What the results document says about how the experiment ran, beyond what the runs recorded.
/// The integrator fills it from the experiment file, data.lock.json and git.
/// </summary>
/// <param name="Experiment">The experiment's name (<c>demo</c>, <c>meli2019</c>).</param>
/// <param name="Description">The experiment's one-line description.</param>
/// <param name="Dataset">Where the rows came from: a data.lock.json source name, or a note such as "generado (demo)".</param>
/// <param name="SampleRows">Rows drawn per experiment (sample.rows).</param>
/// <param name="TestRows">Rows split off for test (split.testRows).</param>
/// <param name="ValidationFraction">Share of the remaining rows held out for validation (split.validationFraction).</param>
/// <param name="Runs">Runs per model, as configured.</param>
/// <param name="Resample">Each run drew its own sample and split (runs.resample), or the runs shared one (a paired design).</param>
/// <param name="Train">The training settings as configured (the experiment's <c>train</c> group).</param>
/// <param name="Lock">The data.lock.json entries the experiment used (dataset and models).</param>
/// <param name="GitCommit">The commit the pipeline ran from (12 hex digits; "unknown" outside a git checkout).</param>
public sealed record ReportParams(
    string Experiment,
    string Description,
    string Dataset,
    long SampleRows,
    int TestRows,
    double ValidationFraction,
    int Runs,
    bool Resample,
    JsonObject? Train,
    SortedDictionary<string, LockedSource> Lock,
    string GitCommit)
{
    /// <summary>With split.testSource: where the test rows came from and what Split found in them; null otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public TestSourceFacts? TestSource { get; init; }
}

/// <summary>split.testSource's rows as Split found them.</summary>
/// <param name="Source">The data.lock.json entry.</param>
/// <param name="Rows">Test rows after the filter.</param>
/// <param name="CategoryNotInTrain">Test rows whose category never occurs in training (no model can predict them; they are kept).</param>
/// <param name="TitlesInTrain">Test rows whose title is also a training title.</param>
public sealed record TestSourceFacts(string Source, long Rows, long CategoryNotInTrain, long TitlesInTrain);
