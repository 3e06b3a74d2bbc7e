using System.Runtime.InteropServices;

namespace Lmev.Training;

/// <summary>
/// glibc's heap under fine-tuning. libtorch frees a step's activations, gradients and the table's sparse gradient (blocks
/// of 4–25 MB at the study's batch of 4,096) back to glibc, whose dynamic mmap threshold rises past such sizes once the
/// first are freed: from then on they are carved from the heap, and what is freed stays in the process (its arenas
/// fragment and keep it). Measured by bench/nnlm on an NNLM table (976,640 × 128, 500 MB; 2 CPUs, shared, load ~30):
/// fine-tune's peak RSS 4.22 × the table with glibc's defaults, 3.76 × with a fixed threshold of 8 MiB (blocks from
/// 8 MiB up mmapped, and unmapped when freed), at 5 % more CPU time (48.0 s against 45.8 s for 2 epochs: the kernel
/// zeroes those pages again each step); 4 MiB: 3.75 × at 15 % more; one arena (MALLOC_ARENA_MAX=1): 4.44 ×. So
/// fine-tuning sets 8 MiB, once per process, unless MALLOC_MMAP_THRESHOLD_ (glibc's own variable) is set. Not on
/// Windows or macOS; elsewhere without glibc's mallopt it does nothing. It changes where memory comes from, never a
/// value computed. Those figures are a process that fine-tunes first (as `lmev train --model M --run R` does); where
/// a frozen model trained first in the same process (bench/nnlm's order), the peak stayed at 4.33–4.38 × with it set
/// (also with M_TRIM_THRESHOLD back at its default): not yet explained.
/// </summary>
internal static class GlibcHeap
{
    /// <summary>Blocks from this size up are mmapped (and unmapped when freed).</summary>
    internal const int MmapThreshold = 8 << 20;

    private const int M_MMAP_THRESHOLD = -3;
    private static readonly Lazy<bool> Applied = new(() =>
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") != null) return false;
        try { return Mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }   // no glibc
    });

    /// <summary>Sets glibc's mmap threshold to <see cref="MmapThreshold"/> (once a process); false where it does not apply.</summary>
    public static bool LimitRetention() => Applied.Value;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);
}
