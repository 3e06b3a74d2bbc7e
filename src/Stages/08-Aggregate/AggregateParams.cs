namespace Lmev.Stages.Aggregate;

/// <summary>What Aggregate reads besides the runs: the experiment's published reference figures, if any.</summary>
public sealed record AggregateParams(ReferenceFigures? Reference = null);
