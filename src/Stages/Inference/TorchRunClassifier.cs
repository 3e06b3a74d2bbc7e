using Google.Protobuf;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Training;
using Lmev.Training.FastText;
using Onnx;

namespace Lmev.Inference;

/// <summary>
/// A trained run's classifier as training left it: its <c>model.dat</c> read back into the TorchSharp module that trained
/// (<see cref="SavedClassifier"/>), behind exactly the run's preprocessing — fastText's dictionary from the run's vocabulary.txt;
/// the Model entry's tokeniser for a fine-tuned table; for a frozen run the Model entry's embedder as the Embed step ran it
/// (ONNX Runtime, the same batches), then the MLP. Titles are scored in the batches the run scored its test split in.
/// </summary>
public sealed class TorchRunClassifier : IRunClassifier
{
    private readonly SavedClassifier _classifier;
    private readonly Func<IReadOnlyList<string>, (float[] Logits, float[] Probabilities)> _scores;
    private readonly IDisposable? _embedder;

    private TorchRunClassifier(TrainedRun run, SavedClassifier classifier, Func<IReadOnlyList<string>, (float[] Logits, float[] Probabilities)> scores, int chunk, IDisposable? embedder, string engine)
    {
        Run = run;
        _classifier = classifier;
        _scores = scores;
        _embedder = embedder;
        Chunk = chunk;
        Engine = engine;
    }

    public TrainedRun Run { get; }

    public IReadOnlyList<string> Classes => Run.Classes;

    public int Chunk { get; }

    public string Engine { get; }

    /// <summary>The run's classifier on the device <paramref name="useCuda"/> says, with <paramref name="threads"/> libtorch threads and
    /// <paramref name="onnxThreads"/> ONNX Runtime threads for a frozen run's vectors; 0: their defaults.</summary>
    public static TorchRunClassifier Open(TrainedRun run, bool useCuda, int threads = 0, int onnxThreads = 0)
    {
        TorchRuntime.EnsureLoaded();
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        var p = run.Parameters;
        var batch = run.BatchSize;
        SavedClassifier? classifier = null;
        IDisposable? embedder = null;
        try
        {
            switch (run.Kind)
            {
                case RunKind.FastText:
                {
                    var ft = p.Train.FastText!;
                    var dictionary = FastTextDictionary.Read(run.Vocabulary, ft.WordNgrams, ft.Buckets);
                    classifier = Load(run, () => SavedClassifier.FastText(run.Weights, dictionary.Rows, ft.Dim, p.Classes, useCuda));
                    var c = classifier;
                    return new TorchRunClassifier(run, c, titles => c.Scores(dictionary.Bags(titles), batch), ChunkOf(batch), null, EngineOf(c));
                }
                case RunKind.FineTune:
                {
                    var spec = BagOfEmbeddingsSpec.FromMetadata(OnnxMetadata(run.ModelFile!), run.ModelFile!);
                    var tokenizer = NnlmTokenizer.Load(run.Vocabulary, spec.NumOovBuckets, spec.Tokenizer);
                    if (tokenizer.VocabularySize != spec.VocabularySize)
                        throw new LmevException($"{run.Vocabulary}: {tokenizer.VocabularySize:N0} tokens, but {run.ModelFile} has {spec.VocabularySize:N0}; the Model entry is damaged: `lmev verify --repair`");
                    classifier = Load(run, () => SavedClassifier.FineTune(run.Weights, spec.RowCount, spec.Dim, p.Classes, p.Train.Hidden, CombinerOf(spec), useCuda));
                    var c = classifier;
                    return new TorchRunClassifier(run, c, titles => c.Scores(tokenizer.Bags(titles), batch), ChunkOf(batch), null, EngineOf(c));
                }
                default:
                {
                    var settings = run.Embed!;
                    // As the Embed step opened it (its default threads), unless threads were asked for.
                    var options = new OnnxEmbedderOptions(IntraOpThreads: onnxThreads, UseCuda: useCuda, Log: _ => { });
                    ITextEmbedder text = run.Kind == RunKind.FrozenTransformer
                        ? MiniLmEmbedder.Open(Path.GetDirectoryName(run.ModelFile)!, new MiniLmOptions(MaxTokens: settings.MaxTokens, Normalize: settings.L2Normalize), options)
                        : BagOfEmbeddingsEmbedder.Open(run.ModelFile!, run.Vocabulary, options);
                    embedder = text;
                    classifier = Load(run, () => SavedClassifier.Frozen(run.Weights, text.Dim, p.Classes, p.Train.Hidden, useCuda));
                    var c = classifier;
                    (float[], float[]) Scores(IReadOnlyList<string> titles)
                    {
                        // The Embed step's batches first (a title's vector does not depend on them, but its bits may), then the MLP's.
                        var vectors = new float[titles.Count * text.Dim];
                        for (var start = 0; start < titles.Count; start += settings.BatchSize)
                        {
                            var n = Math.Min(settings.BatchSize, titles.Count - start);
                            text.Embed(Slice(titles, start, n), vectors.AsSpan(start * text.Dim, n * text.Dim));
                        }
                        return c.Scores(new FeatureMatrix(vectors, titles.Count, text.Dim), batch);
                    }
                    return new TorchRunClassifier(run, c, Scores, ChunkOf(Lcm(batch, settings.BatchSize)), text,
                        $"ONNX Runtime {OnnxEmbedder.OnnxRuntimeVersion} ({text.ExecutionProvider}) for the vectors, then {EngineOf(c)}");
                }
            }
        }
        catch
        {
            classifier?.Dispose();
            embedder?.Dispose();
            throw;
        }
    }

    /// <summary>Ranked by the logits, as training's argmax; the probabilities are libtorch's softmax of them.</summary>
    public ClassScores Score(IReadOnlyList<string> titles)
    {
        var (logits, probabilities) = _scores(titles);
        return new ClassScores(logits, probabilities, Classes.Count);
    }

    /// <summary>The run's weights read back; weights that do not fit the run are said with what to do.</summary>
    internal static SavedClassifier Load(TrainedRun run, Func<SavedClassifier> load)
    {
        try { return load(); }
        catch (InvalidDataException e)
        {
            throw new LmevException($"{e.Message}; the weights do not fit the run's {Contracts.RunParameters.FileName} and model: `lmev verify --repair`, or train it again: `lmev train {run.Slice} --force`", e);
        }
    }

    private static string EngineOf(SavedClassifier c) =>
        $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3)} on {c.Device}, {TorchSharp.torch.get_num_threads()} thread(s)";

    internal static BagCombiner CombinerOf(BagOfEmbeddingsSpec spec) => spec.Combiner switch
    {
        BagOfEmbeddingsSpec.Mean => BagCombiner.Mean,
        BagOfEmbeddingsSpec.Sum => BagCombiner.Sum,
        _ => BagCombiner.SqrtN,
    };

    /// <summary>A model file's metadata_props, read without its (external) table.</summary>
    internal static IReadOnlyDictionary<string, string> OnnxMetadata(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return ModelProto.Parser.ParseFrom(stream).MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LmevException($"{path}: not a readable ONNX model ({e.Message}); the Model entry is damaged: `lmev verify --repair`", e);
        }
    }

    /// <summary>About 4,096 titles per call, a multiple of <paramref name="unit"/>.</summary>
    private static int ChunkOf(int unit) => unit * Math.Max(1, (4096 + unit - 1) / unit);

    private static int Lcm(int a, int b)
    {
        static long Gcd(long x, long y) => y == 0 ? x : Gcd(y, x % y);
        var lcm = (long)a / Gcd(a, b) * b;
        return lcm <= 1 << 20 ? (int)lcm : a;   // absurd pairs give up exact batches rather than memory
    }

    private static IReadOnlyList<string> Slice(IReadOnlyList<string> titles, int start, int count) =>
        start == 0 && count == titles.Count ? titles : titles is List<string> list ? list.GetRange(start, count) : titles.Skip(start).Take(count).ToList();

    public void Dispose()
    {
        _classifier.Dispose();
        _embedder?.Dispose();
    }
}
