using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// What <see cref="DeviceChoice"/> asks before choosing: whether this build carries libtorch's CUDA
/// natives, and whether a CUDA device answers. Injectable, so that a test on a machine without a GPU
/// can play "a CUDA build with no device" and "a device present".
/// </summary>
public sealed record CudaProbe(Func<bool> BuildHasCuda, Func<bool> DevicePresent)
{
    /// <summary>The real probe: a <c>-p:Gpu=true</c> build (LMEV_GPU), and libtorch initialising CUDA with a device.</summary>
    public static CudaProbe Torch { get; } = new(() => BuiltWithCuda, () =>
    {
        TorchRuntime.EnsureLoaded();
        return torch.TryInitializeDeviceType(DeviceType.CUDA) && torch.cuda.is_available();
    });

    /// <summary>Whether this assembly was built with <c>-p:Gpu=true</c> (TorchSharp-cuda-linux instead of libtorch-cpu).</summary>
    public static bool BuiltWithCuda =>
#if LMEV_GPU
        true;
#else
        false;
#endif
}
