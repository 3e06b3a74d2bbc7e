using System.Reflection;
using Lmev.Training.Native;
using TorchSharp;

namespace Lmev.Training.Tests;

public class TorchLoadTests
{
    [Fact]
    public void Torch_loads_and_multiplies_matrices()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var b = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        using var c = a.mm(b);
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]
        Assert.Equal([58f, 64f, 139f, 154f], c.data<float>().ToArray());
    }

    [Fact]
    public void Cpu_device_is_named_after_the_processor()
    {
        var device = TorchRuntime.SelectDevice(preferCuda: false);
        Assert.Equal(DeviceType.CPU, device.type);
        Assert.StartsWith("cpu: ", TorchRuntime.DeviceName(device));
        Assert.True(TorchRuntime.DeviceName(device).Length > 5);
    }

    [SkippableFact]
    public void Asking_for_cuda_without_it_falls_back_to_the_cpu()
    {
        TorchRuntime.EnsureLoaded();
        Skip.If(torch.cuda.is_available(), "CUDA is present here");
        Assert.Equal(DeviceType.CPU, TorchRuntime.SelectDevice(preferCuda: true).type);
    }

    [SkippableFact]
    public void Copied_library_needs_nothing_the_system_libstdcxx_lacks()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "ELF natives: Linux only");
        string built = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(built), $"{built} was not copied by the build");
        Assert.Empty(TorchRuntime.MissingLibStdCxxVersions(built));
    }

    [SkippableFact]
    public void Load_failure_diagnosis_names_the_missing_glibcxx_version()
    {
        string original = ElfFixtures.OriginalLibrary();
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        Skip.If(system == null, "no system libstdc++ found");
        Skip.If(ElfVersionNeeds.Definitions(File.ReadAllBytes(system!)).Contains("GLIBCXX_3.4.32"),
            "this system's libstdc++ provides GLIBCXX_3.4.32: the unpatched library loads here");
        string dir = Directory.CreateTempSubdirectory("lmev-diagnose-").FullName;
        try
        {
            File.Copy(original, Path.Combine(dir, "libLibTorchSharp.so"));
            File.CreateSymbolicLink(Path.Combine(dir, "libtorch_cpu.so"), Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"));
            string message = TorchRuntime.DiagnoseLoadFailure(new NotSupportedException("doesn't contain a reference to libtorch-cpu-linux-x64"), dir);
            Assert.Contains("GLIBCXX_3.4.32", message);
            Assert.Contains(system!, message);
            Assert.Contains("TorchSharpElfFix", message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Load_failure_diagnosis_says_when_the_natives_are_not_there()
    {
        string dir = Directory.CreateTempSubdirectory("lmev-diagnose-").FullName;
        try
        {
            string message = TorchRuntime.DiagnoseLoadFailure(new DllNotFoundException("LibTorchSharp"), dir);
            Assert.Contains(OperatingSystem.IsLinux() ? "UseCurrentRuntimeIdentifier" : "LibTorchSharp", message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

internal static class ElfFixtures
{
    /// <summary>The unpatched libLibTorchSharp.so in the NuGet cache (read only; tests copy it).</summary>
    public static string OriginalLibrary()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "ELF natives: Linux only");
        string? package = typeof(ElfFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchSharpPackageDir")?.Value;
        string path = Path.Combine(package ?? "", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(path), $"the TorchSharp package's library is not at {path}");
        return path;
    }
}
