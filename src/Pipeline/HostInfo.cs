using System.Runtime.InteropServices;

namespace Lmev.Pipeline;

/// <summary>Where a stage ran: recorded in every manifest so that a figure can be traced to its machine.</summary>
public static class HostInfo
{
    public static HostRecord Current { get; } = new(
        Environment.MachineName,
        RuntimeInformation.OSDescription,
        CpuModel(),
        Environment.ProcessorCount,
        RuntimeInformation.FrameworkDescription);

    public static string LmevVersion { get; } =
        typeof(HostInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                        return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
