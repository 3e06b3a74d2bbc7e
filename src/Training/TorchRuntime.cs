using System.Runtime.InteropServices;
using Lmev.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>Loads libtorch, chooses the device, and names it — or says why libtorch did not load.</summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool loaded;

    /// <summary>
    /// Loads TorchSharp's native libraries once. On failure throws <see cref="InvalidOperationException"/>
    /// whose message names the real cause (TorchSharp itself only reports that the libtorch package
    /// "doesn't contain a reference", whatever the cause).
    /// </summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded) return;
            try { torch.InitializeDeviceType(DeviceType.CPU); }
            catch (Exception e) { throw new InvalidOperationException(DiagnoseLoadFailure(e), e); }
            loaded = true;
        }
    }

    /// <summary>CUDA device 0 when <paramref name="preferCuda"/> and CUDA is usable, else the CPU.</summary>
    public static Device SelectDevice(bool preferCuda)
    {
        EnsureLoaded();
        if (preferCuda && torch.TryInitializeDeviceType(DeviceType.CUDA) && torch.cuda.is_available())
            return torch.CUDA;
        return torch.CPU;
    }

    /// <summary>What a run records as its device, e.g. "cpu: AMD EPYC 7763 64-Core Processor" or "cuda: NVIDIA H200".</summary>
    public static string DeviceName(Device device) => device.type == DeviceType.CUDA
        ? "cuda: " + (ProcField("/proc/driver/nvidia/gpus", "information", "Model:") ?? $"CUDA device {device.index}")
        : "cpu: " + (ProcField("/proc", "cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString());

    /// <summary>
    /// The versions <paramref name="library"/> requires (not weakly) from libstdc++.so.6 that the
    /// system's libstdc++ does not define; empty when it is satisfied or there is no such library.
    /// </summary>
    public static IReadOnlyList<string> MissingLibStdCxxVersions(string library, string? systemLibStdCxx = null)
    {
        systemLibStdCxx ??= ElfVersionNeeds.FindSystemLibStdCxx();
        if (systemLibStdCxx == null || !File.Exists(library)) return [];
        var provided = ElfVersionNeeds.Definitions(File.ReadAllBytes(systemLibStdCxx));
        return ElfVersionNeeds.Read(File.ReadAllBytes(library))
            .Where(n => n.Library == "libstdc++.so.6" && !n.IsWeak && !provided.Contains(n.Version))
            .Select(n => n.Version).ToList();
    }

    /// <summary>Explains a failure to load TorchSharp's natives from <paramref name="nativeDirectory"/> (default: the application's).</summary>
    public static string DiagnoseLoadFailure(Exception error, string? nativeDirectory = null)
    {
        string said = $"TorchSharp said: {error.GetType().Name}: {error.Message}";
        if (!OperatingSystem.IsLinux()) return $"TorchSharp could not load libtorch. {said}";
        string[] dirs = nativeDirectory != null ? [nativeDirectory]
            : [AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native")];
        string? library = dirs.Select(d => Path.Combine(d, "libLibTorchSharp.so")).FirstOrDefault(File.Exists);
        if (library == null)
            return $"TorchSharp could not load libtorch: libLibTorchSharp.so is not in {string.Join(" or ", dirs)}. " +
                   "A project that loads torch sets UsesTorch=true and UseCurrentRuntimeIdentifier=true (build/Torch.targets). " + said;
        string dir = Path.GetDirectoryName(library)!;
        if (!File.Exists(Path.Combine(dir, "libtorch_cpu.so")) && !File.Exists(Path.Combine(dir, "libtorch_cuda.so")))
            return $"TorchSharp could not load libtorch: {dir} has libLibTorchSharp.so but no libtorch_cpu.so or libtorch_cuda.so " +
                   "(is the libtorch-cpu-linux-x64 package referenced?). " + said;
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        var missing = MissingLibStdCxxVersions(library, system);
        if (missing.Count > 0)
            return $"TorchSharp could not load libtorch: {library} requires {string.Join(", ", missing)} from libstdc++.so.6, " +
                   $"which this system's {system} does not define. The build marks such requirements weak in the copied " +
                   "library (build/TorchSharpElfFix.targets); this copy was not patched: rebuild the project, or install " +
                   "a newer libstdc++ (GCC 13+). " + said;
        string loader;
        try { NativeLibrary.Free(NativeLibrary.Load(library)); loader = "it loads by itself"; }
        catch (Exception e) { loader = "the loader said: " + e.Message; }
        return $"TorchSharp could not load libtorch from {dir} ({loader}). {said}";
    }

    private static string? ProcField(string root, string file, string key)
    {
        try
        {
            var files = file == "cpuinfo" ? [Path.Combine(root, file)]
                : Directory.Exists(root) ? Directory.GetDirectories(root).Order().Select(d => Path.Combine(d, file)) : [];
            foreach (var path in files.Where(File.Exists))
                foreach (var line in File.ReadLines(path))
                    if (line.StartsWith(key, StringComparison.Ordinal) && line.IndexOf(':') is var colon and >= 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
