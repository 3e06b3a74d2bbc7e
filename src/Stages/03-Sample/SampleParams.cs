namespace Lmev.Stages.Sample;

/// <summary>A uniform sample of <paramref name="Rows"/> rows, the same rows for the same seed.</summary>
public sealed record SampleParams(long Rows, ulong Seed = 1);
