using Lmev.Contracts.Results;

namespace Lmev.Stages.Aggregate;

/// <summary>What Aggregate reads besides the runs.</summary>
/// <param name="Reference">The experiment's published figures, if any.</param>
/// <param name="Resample">Each run drew its own sample (runs.resample): runs are independent, compared by Welch's t;
/// otherwise they share a split and are compared by a paired class-stratified bootstrap over the test titles.</param>
/// <param name="MaxEpochs">train.epochs: a run that stopped before it was stopped early.</param>
/// <param name="Models">What the experiment says of each model beyond its runs (its kind); models not listed pair only with each other.</param>
/// <param name="Replicates">Bootstrap resamples per interval or comparison.</param>
/// <param name="Seed">Seed of the bootstrap.</param>
public sealed record AggregateParams(
    ReferenceFigures? Reference = null,
    bool Resample = false,
    int? MaxEpochs = null,
    SortedDictionary<string, ModelTraits>? Models = null,
    int Replicates = 2000,
    ulong Seed = 1);
