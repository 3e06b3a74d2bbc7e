namespace Lmev.Training;

/// <summary>What <see cref="DeviceChoice.Decide"/> chose.</summary>
/// <param name="UseCuda">Ask <see cref="TorchRuntime.SelectDevice"/> for CUDA.</param>
/// <param name="Fallback">One line to log when CUDA was wanted (auto, CUDA build) but no device answered; null otherwise.</param>
/// <param name="Refusal">Why the request cannot be met (cuda asked, none available); null when it can.</param>
public sealed record DeviceDecision(DeviceRequest Requested, bool UseCuda, string? Fallback = null, string? Refusal = null);

/// <summary>Turns a <see cref="DeviceRequest"/> into the device to train on, given what the <see cref="CudaProbe"/> sees.</summary>
public static class DeviceChoice
{
    public static DeviceDecision Decide(DeviceRequest requested, CudaProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (requested == DeviceRequest.Cpu) return new(requested, UseCuda: false);
        if (!probe.BuildHasCuda())
            return requested == DeviceRequest.Auto
                ? new(requested, UseCuda: false) // a CPU build: the CPU is what was built for, nothing to say
                : new(requested, false, Refusal: "device 'cuda' was asked for, but this build has no CUDA: build with -p:Gpu=true " +
                    "(`dotnet cake --gpu=true`), or ask for 'auto' or 'cpu'");
        if (probe.DevicePresent()) return new(requested, UseCuda: true);
        return requested == DeviceRequest.Auto
            ? new(requested, false, Fallback: "this build has CUDA but no CUDA device answered (is the NVIDIA driver loaded? `nvidia-smi`); training on the CPU")
            : new(requested, false, Refusal: "device 'cuda' was asked for and this build has CUDA, but no CUDA device answered " +
                "(is the NVIDIA driver loaded? `nvidia-smi`); ask for 'auto' to fall back to the CPU");
    }
}
