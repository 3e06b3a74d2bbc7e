namespace Lmev.Stages.Sample;

/// <summary>A uniform sample of <paramref name="Rows"/> rows, the same rows for the same seed.</summary>
public sealed record SampleParams(long Rows, ulong Seed = 1)
{
    /// <summary>The most rows a sample may hold: the reservoir is one array (checked where an experiment is read).</summary>
    public static readonly long MaxRows = Array.MaxLength;
}
