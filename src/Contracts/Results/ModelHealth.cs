namespace Lmev.Contracts.Results;

/// <summary>Per model: usable runs, those possibly undertrained, those stopped early, and those whose curve is unknown.</summary>
public sealed record ModelHealth(string Model, int Runs, int StillImproving, int StoppedEarly, int Unknown);
