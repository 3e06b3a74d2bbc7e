namespace Lmev.Models;

/// <summary>How <see cref="OnnxEmbedder"/> runs a model.</summary>
/// <param name="IntraOpThreads">Threads inside one operator; 0 lets ONNX Runtime use one per physical core.</param>
/// <param name="UseCuda">Try the CUDA execution provider first (only in a <c>-p:Gpu=true</c> build; CPU otherwise).</param>
/// <param name="CudaDeviceId">Which GPU, when several.</param>
/// <param name="Log">Where the one line about the provider chosen goes (a stage passes its context's log).</param>
public sealed record OnnxEmbedderOptions(int IntraOpThreads = 0, bool UseCuda = true, int CudaDeviceId = 0, Action<string>? Log = null);
