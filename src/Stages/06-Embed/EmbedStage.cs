using System.Diagnostics;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Pipeline.Npy;
using Lmev.Contracts;

namespace Lmev.Stages.Embed;

/// <summary>
/// Runs one model over the train/val/test titles through ONNX Runtime and writes one float32
/// matrix per split, row-aligned with the split's CSV: <c>train.npy</c>, <c>val.npy</c>,
/// <c>test.npy</c> (<c>numpy.load</c> reads them). The execution provider actually used (CUDA or
/// CPU) is recorded in the manifest but is not part of the key: the vectors are the same.
/// </summary>
public sealed class EmbedStage : IStage
{
    private readonly EmbedParams _params;
    private readonly string _model;

    public EmbedStage(string model, EmbedParams p, Artifact onnx, Artifact vocabulary, IReadOnlyList<Artifact> modelData, Artifact train, Artifact val, Artifact test, string? unit = null)
    {
        _model = model;
        Unit = unit ?? model;
        _params = p;
        var inputs = new Dictionary<string, Artifact> { ["model"] = onnx, ["vocabulary"] = vocabulary, ["train"] = train, ["val"] = val, ["test"] = test };
        foreach (var data in modelData) inputs[$"model-data:{data.File}"] = data;
        Inputs = inputs;
    }

    public string Name => "embed";

    public int Version => 1;

    /// <summary>The model, or <c>&lt;model&gt;/run-k</c> when each run has its own split (runs.resample).</summary>
    public string Unit { get; }

    public object Params => _params;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; }

    public void Run(StageContext context)
    {
        var onnxOptions = new OnnxEmbedderOptions(Log: context.Log);
        using ITextEmbedder embedder = _params.Kind switch
        {
            ModelSpec.MiniLm or ModelSpec.Transformer => MiniLmEmbedder.Open(Path.GetDirectoryName(context.Input("model"))!,
                new MiniLmOptions(MaxTokens: _params.MaxTokens, Normalize: _params.L2Normalize), onnxOptions),
            _ => BagOfEmbeddingsEmbedder.Open(context.Input("model"), context.Input("vocabulary"), onnxOptions),
        };
        context.Device = embedder switch { MiniLmEmbedder m => m.Device, BagOfEmbeddingsEmbedder b => b.Device, _ => "cpu" };
        context.Versions["onnxruntime"] = OnnxEmbedder.OnnxRuntimeVersion;
        context.Report["dim"] = embedder.Dim;
        context.Report["executionProvider"] = embedder.ExecutionProvider;
        context.Log($"{_model}: dim {embedder.Dim}, {embedder.ExecutionProvider}");

        foreach (var split in SplitFiles.Names)
        {
            var titles = ReadTitles(context.Input(split));
            var clock = Stopwatch.StartNew();
            using (var writer = new NpyWriter(context.OutputPath($"{split}.npy"), embedder.Dim))
            using (var progress = context.Progress($"embed {_model} {split}", titles.Count, "titles"))
            {
                var buffer = new float[_params.BatchSize * embedder.Dim];
                for (var start = 0; start < titles.Count; start += _params.BatchSize)
                {
                    var batch = titles.GetRange(start, Math.Min(_params.BatchSize, titles.Count - start));
                    var span = buffer.AsSpan(0, batch.Count * embedder.Dim);
                    embedder.Embed(batch, span);
                    foreach (var v in span)
                        if (!float.IsFinite(v))
                            throw new LmevException($"{context.Input("model")}: model '{_model}' produced a non-finite value for a title of {context.Input(split)} near row {start + 2}");
                    writer.Append(span);
                    progress.Report(start + batch.Count);
                }
            }
            var rate = titles.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            context.Report[$"{split}Rows"] = titles.Count;
            context.Report[$"{split}TitlesPerSecond"] = Math.Round(rate);
            context.Log($"{split}: {titles.Count:N0} titles in {clock.Elapsed.TotalSeconds:F1} s ({rate:N0} titles/s)");
        }
    }

    private static List<string> ReadTitles(string path)
    {
        var titles = new List<string>();
        using var reader = CsvRowReader.Open(path);
        var title = reader.Column("title");
        while (reader.NextNonBlank(out var problem))
        {
            if (problem != RowProblem.None)
                throw new LmevException($"{path}:{reader.LineNumber}: {CsvRowReader.Describe(problem)} in a file written by split; rerun split with --force");
            titles.Add(reader.FieldString(title));
        }
        return titles;
    }
}
