using Lmev.Pipeline;

namespace Lmev.Flow.Steps;

/// <summary>
/// A run's seed for a purpose ("sample/run-2", "train/fasttext/run-1"): derived from the experiment's seed, the purpose and the
/// run number, so that each run draws differently and the same experiment draws the same again. 63 bits, so that readers of the
/// manifest's JSON that stop at a signed 64-bit integer read it exactly.
/// </summary>
internal static class RunSeeds
{
    public static ulong For(ulong seed, string purpose) => SeededRandom.For(seed, purpose).NextUInt64() >> 1;
}
