using System.Runtime.InteropServices;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// The process's resident memory from /proc/self/status (Linux): VmRSS now and VmHWM, its peak.
/// <see cref="ResetPeak"/> writes 5 to /proc/self/clear_refs, which sets VmHWM to the current RSS
/// (Linux 4.0+, proc(5)), so one process can measure the peak of several phases in turn.
/// </summary>
internal static class ProcessMemory
{
    public static long RssBytes() => Field("VmRSS:");

    public static long PeakRssBytes() => Field("VmHWM:");

    /// <returns>false where the peak cannot be reset (then peaks are since the process started)</returns>
    public static bool ResetPeak()
    {
        // Drop garbage first (a previous phase's arrays, and the free memory glibc's malloc keeps from
        // a previous phase's tensors), so this phase's baseline is what is live.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    public static string Mb(long bytes) => $"{bytes / 1e6:N0} MB";

    private static long Field(string key)
    {
        if (!File.Exists("/proc/self/status")) return -1;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024;   // "VmHWM:   123 kB"
        return -1;
    }
}
