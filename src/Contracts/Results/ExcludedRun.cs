namespace Lmev.Contracts.Results;

/// <summary>A run kept in runs.csv but left out of every mean, and why.</summary>
public sealed record ExcludedRun(string Model, int Run, string Status);
