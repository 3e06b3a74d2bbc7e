using Lmev.Pipeline;
using Lmev.Training;

namespace Lmev.Inference;

/// <summary>What `lmev predict` was asked: which classifier (a trained run, or an exported one), which titles, where the CSV goes.</summary>
/// <param name="Onnx">An exported classifier to run through ONNX Runtime instead of a trained run.</param>
/// <param name="Device">--device; null: what the run recorded it asked for when it trained (train.device or --device then).</param>
/// <param name="Threads">libtorch's and ONNX Runtime's threads, 0 for their defaults; null: a trained run's own (as it trained), an exported classifier's 0.</param>
/// <param name="Input">A CSV file of titles; null or "-": one title per line on standard input.</param>
/// <param name="Output">The CSV to write; null or "-": standard output.</param>
public sealed record PredictRequest(
    string Root,
    string CacheRoot,
    string Experiment,
    string? Model,
    RunChoice Run,
    string? Onnx = null,
    DeviceRequest? Device = null,
    int? Threads = null,
    string? Input = null,
    string TitleColumn = "title",
    string? Output = null,
    int Top = 1);

/// <summary>`lmev predict` and `lmev export-onnx` from their requests: the run found, its device chosen, the work done and said.</summary>
public static class Predictor
{
    public static Prediction.Outcome Predict(PredictRequest request, TextReader standardInput, Stream standardOutput, Action<string> say)
    {
        if (request.Top < 1) throw new LmevException($"--top {request.Top}: expected at least 1 (the predicted class)");
        if (request.Threads < 0) throw new LmevException($"--threads {request.Threads}: expected 0 (the libraries' default) or more");
        // libtorch loads (most of a second) on another core while the titles and the run's files are read.
        var torch = request.Onnx is null ? Task.Run(TorchRuntime.EnsureLoaded) : Task.CompletedTask;
        // The titles are read first: a wrong column is said before a model is loaded.
        var fromStdin = request.Input is null or "-";
        var titles = fromStdin ? Prediction.ReadLines(standardInput) : Prediction.ReadCsv(request.Input!, request.TitleColumn);
        using var classifier = Open(request, say, torch);
        say($"classifying {titles.Count:N0} title{(titles.Count == 1 ? "" : "s")} {(fromStdin ? "from standard input" : $"from {request.Input} (column '{request.TitleColumn}')")} with {classifier.Engine}");
        Prediction.Outcome outcome;
        if (request.Output is null or "-")
        {
            outcome = Prediction.Run(classifier, titles, standardOutput, request.Top);
            standardOutput.Flush();
        }
        else
        {
            var written = default(Prediction.Outcome);
            AtomicFile.Write(request.Output, stream => written = Prediction.Run(classifier, titles, stream, request.Top));
            outcome = written!;
        }
        say($"{outcome.Titles:N0} title{(outcome.Titles == 1 ? "" : "s")} in {outcome.Seconds:F2} s ({outcome.TitlesPerSecond:N0} titles/s)" +
            (request.Output is null or "-" ? "" : $": {request.Output}"));
        return outcome;
    }

    /// <summary>The classifier a request names, on its device; what was chosen is said.</summary>
    /// <param name="torchLoading">libtorch's loading, when it was started earlier (awaited before the device is chosen).</param>
    public static IRunClassifier Open(PredictRequest request, Action<string> say, Task? torchLoading = null)
    {
        if (request.Onnx is { } onnx)
        {
            if (request.Model is not null)
                throw new LmevException($"--onnx {onnx} and --model {request.Model}: give one, an exported classifier or a trained run");
            var onnxChoice = Choose(request.Device ?? DeviceRequest.Auto, say);
            var exported = OnnxRunClassifier.Open(onnx, onnxChoice, request.Threads ?? 0);
            say($"{onnx}: {exported.Classes.Count:N0} classes, {exported.Tokens.Kind} tokeniser");
            return exported;
        }
        if (request.Model is null)
            throw new LmevException("which classifier? name a trained run with --model (and --experiment, --run), or an exported one with --onnx FILE");
        var run = TrainedRuns.Locate(request.Root, request.CacheRoot, request.Experiment, request.Model, request.Run, say);
        torchLoading?.GetAwaiter().GetResult();
        var recorded = Enum.TryParse<DeviceRequest>(run.Metrics.DeviceRequested, ignoreCase: true, out var r) ? r : DeviceRequest.Auto;
        var useCuda = Choose(request.Device ?? recorded, say);
        say($"{run.Name} ({run.Kind switch { RunKind.FastText => "fastText", RunKind.FineTune => "fine-tuned table", RunKind.FrozenBag => "frozen table", _ => "frozen transformer" }}, " +
            $"{run.Classes.Count:N0} classes, test balanced accuracy {run.Metrics.Test.BalancedAccuracy:F4}): {TrainedRuns.Shown(request.Root, run.Folder)}");
        // libtorch on the run's own threads (a fasttext run trains on one), ONNX Runtime on the Embed step's default.
        return TorchRunClassifier.Open(run, useCuda, request.Threads ?? run.Parameters.Threads, request.Threads ?? 0);
    }

    /// <summary>Exports a trained run's classifier (see <see cref="ClassifierExport"/>); returns the files written.</summary>
    public static IReadOnlyList<string> Export(PredictRequest request, string onnxPath, Action<string> say)
    {
        if (request.Model is null) throw new LmevException("which run? name it with --model (and --experiment, --run)");
        var run = TrainedRuns.Locate(request.Root, request.CacheRoot, request.Experiment, request.Model, request.Run, say);
        var files = ClassifierExport.Write(run, onnxPath);
        say($"{run.Name}: its classifier ({run.Classes.Count:N0} classes) and tokeniser written to {string.Join(", ", files)}");
        return files;
    }

    private static bool Choose(DeviceRequest request, Action<string> say)
    {
        var choice = DeviceChoice.Decide(request, CudaProbe.Torch);
        if (choice.Refusal is { } refusal) throw new LmevException($"predict: {refusal}");
        if (choice.Fallback is { } fallback) say(fallback.Replace("training on the CPU", "classifying on the CPU", StringComparison.Ordinal));
        return choice.UseCuda;
    }
}
