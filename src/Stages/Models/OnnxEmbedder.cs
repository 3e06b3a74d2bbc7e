using Lmev.Pipeline;
using Microsoft.ML.OnnxRuntime;

namespace Lmev.Models;

/// <summary>
/// One ONNX Runtime session over one model file, created once and reused for every batch. Runs on CUDA when the
/// build has ONNX Runtime's CUDA package (<c>-p:Gpu=true</c>, which defines LMEV_GPU) and a device answers;
/// otherwise on the CPU, saying why in one log line. Runs may come from several threads.
/// </summary>
public sealed class OnnxEmbedder : IDisposable
{
    public const string CpuProvider = "CPUExecutionProvider";
    public const string CudaProvider = "CUDAExecutionProvider";

    private readonly InferenceSession _session;

    private OnnxEmbedder(string modelPath, InferenceSession session, string provider)
    {
        ModelPath = modelPath;
        _session = session;
        ExecutionProvider = provider;
        Metadata = new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
    }

    public string ModelPath { get; }

    /// <summary>The provider the session actually runs on: <see cref="CpuProvider"/> or <see cref="CudaProvider"/>.</summary>
    public string ExecutionProvider { get; }

    /// <summary>"cpu" or "cuda:N", for a stage's recorded device.</summary>
    public string Device { get; private init; } = "cpu";

    /// <summary>The model's metadata_props.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyList<string> InputNames => [.. _session.InputMetadata.Keys];

    public IReadOnlyList<string> OutputNames => [.. _session.OutputMetadata.Keys];

    /// <summary>The declared shape of an output; -1 where the dimension is symbolic.</summary>
    public long[] OutputShape(string output) => [.. _session.OutputMetadata[output].Dimensions.Select(d => (long)d)];

    public static string OnnxRuntimeVersion => OrtEnv.Instance().GetVersionString();

    /// <summary>Whether this build carries ONNX Runtime's CUDA package (<c>-p:Gpu=true</c>).</summary>
    public static bool IsCudaBuild =>
#if LMEV_GPU
        true;
#else
        false;
#endif

    /// <summary>Opens <paramref name="modelPath"/>; a missing, truncated or corrupt file is an <see cref="LmevException"/>.</summary>
    public static OnnxEmbedder Open(string modelPath, OnnxEmbedderOptions? options = null)
    {
        options ??= new OnnxEmbedderOptions();
        var log = options.Log ?? (line => Console.Error.WriteLine(line));
        if (!File.Exists(modelPath))
            throw new LmevException($"{modelPath}: model file not found. Expected an ONNX model; re-run the step that builds or imports it.");

#if LMEV_GPU
        if (options.UseCuda)
        {
            string reason;
            // ONNX Runtime would also print its own error when the CUDA libraries are missing; the line below says it.
            var level = OrtEnv.Instance().EnvLogLevel;
            OrtEnv.Instance().EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                var cuda = CreateSession(modelPath, options, useCuda: true);
                log($"ONNX Runtime {OnnxRuntimeVersion}: {Path.GetFileName(modelPath)} runs on CUDA device {options.CudaDeviceId}.");
                return new OnnxEmbedder(modelPath, cuda, CudaProvider) { Device = $"cuda:{options.CudaDeviceId}" };
            }
            catch (OnnxRuntimeException e) when (e.Message.Contains("Failed to load shared library", StringComparison.Ordinal))
            {
                reason = CudaFailure(e.Message) + "; the CUDA build needs the CUDA 13 and cuDNN libraries on the loader path";
            }
            catch (OnnxRuntimeException e) { reason = CudaFailure(e.Message); }
            catch (DllNotFoundException e) { reason = CudaFailure(e.Message); }
            catch (EntryPointNotFoundException e) { reason = CudaFailure(e.Message); }
            finally { OrtEnv.Instance().EnvLogLevel = level; }
            log($"ONNX Runtime {OnnxRuntimeVersion}: CUDA unavailable ({reason}); {Path.GetFileName(modelPath)} runs on the CPU.");
        }
#endif
        return new OnnxEmbedder(modelPath, CreateSession(modelPath, options, useCuda: false), CpuProvider);
    }

    private static InferenceSession CreateSession(string modelPath, OnnxEmbedderOptions options, bool useCuda)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1, // the graphs are chains; parallelism is inside the operators
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (useCuda) sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
        try
        {
            return new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e) when (!useCuda || IsModelError(e))
        {
            var size = new FileInfo(modelPath).Length;
            throw new LmevException(
                $"{modelPath}: not a readable ONNX model ({size:N0} bytes). Expected a complete ONNX file " +
                $"(and its .data file beside it, if it has one); ONNX Runtime says: {FirstLine(e.Message)}. " +
                "The file is truncated or corrupt: delete it (or its cache entry) and re-run the step that wrote it.", e);
        }
    }

    // Errors that say the file is bad rather than that CUDA is missing; those must not trigger the CPU fallback.
    // (The C# API keeps the error code internal; its message starts with "[ErrorCode:Name]".)
    private static bool IsModelError(OnnxRuntimeException e) =>
        ModelErrorCodes.Any(code => e.Message.Contains($"[ErrorCode:{code}]", StringComparison.Ordinal));

    private static readonly string[] ModelErrorCodes = ["InvalidProtobuf", "InvalidGraph", "NoSuchFile", "NoModel"];

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    // ONNX Runtime's message for a missing CUDA library ends with the loader's error, the useful part.
    private static string CudaFailure(string message)
    {
        var line = FirstLine(message);
        var at = line.LastIndexOf(" with error: ", StringComparison.Ordinal);
        return at >= 0 ? line[(at + " with error: ".Length)..] : line;
    }

    /// <summary>Runs the model on <paramref name="inputs"/> and returns one float output, row-major, with its shape.</summary>
    public (float[] Values, long[] Shape) Run(IReadOnlyList<OnnxInput> inputs, string output)
    {
        var values = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var input in inputs)
            {
                values.Add(input.Data switch
                {
                    long[] longs => OrtValue.CreateTensorValueFromMemory(longs, input.Shape),
                    float[] floats => OrtValue.CreateTensorValueFromMemory(floats, input.Shape),
                    _ => throw new ArgumentException($"input '{input.Name}' has unsupported element type {input.Data.GetType()}"),
                });
            }
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, [.. inputs.Select(i => i.Name)], values, [output]);
            var result = results[0];
            return (result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape);
        }
        catch (OnnxRuntimeException e)
        {
            throw new LmevException(
                $"{ModelPath}: running the model failed on inputs {string.Join(", ", inputs.Select(i => $"{i.Name}[{string.Join(",", i.Shape)}]"))}: " +
                $"{FirstLine(e.Message)}. Check that the model and its vocabulary belong together.", e);
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
