namespace Lmev.Training;

/// <summary>
/// Where training is asked to run: an experiment's <c>train.device</c>, or <c>lmev train --device</c>.
/// Not a hyper-parameter: the same parameters are the same experiment on any device, so it stays out
/// of every cache key and is recorded beside the device actually used.
/// </summary>
public enum DeviceRequest
{
    /// <summary>CUDA when the build has it (<c>-p:Gpu=true</c>) and a device answers; otherwise the CPU, said in one log line when the build has CUDA.</summary>
    Auto,

    /// <summary>The CPU, even where CUDA is present.</summary>
    Cpu,

    /// <summary>CUDA or an error: a GPU runner that lost its device fails rather than train for hours on the CPU.</summary>
    Cuda,
}
