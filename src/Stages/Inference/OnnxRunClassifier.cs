using System.Text.Json;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Training.FastText;

namespace Lmev.Inference;

/// <summary>
/// An exported classifier (<see cref="ClassifierExport"/>) run through ONNX Runtime: its tokeniser built from the
/// <c>tokenizer.json</c> beside it and the vocabulary it names, nothing else — as another program would — so that `lmev predict
/// --onnx` checks the description as much as the graph. Ranks classes by the model's probabilities.
/// </summary>
public sealed class OnnxRunClassifier : IRunClassifier
{
    /// <summary>Titles per ONNX Runtime call of a transformer, after sorting a chunk by length: a batch pads to its longest.</summary>
    private const int TransformerBatch = 64;

    private readonly OnnxEmbedder _session;
    private readonly Func<IReadOnlyList<string>, float[]> _probabilities;

    private OnnxRunClassifier(OnnxEmbedder session, IReadOnlyList<string> classes, TokenizerDescription tokens, Func<IReadOnlyList<string>, float[]> probabilities)
    {
        _session = session;
        Classes = classes;
        Tokens = tokens;
        _probabilities = probabilities;
        Engine = $"ONNX Runtime {OnnxEmbedder.OnnxRuntimeVersion} ({session.ExecutionProvider})";
    }

    public IReadOnlyList<string> Classes { get; }

    public TokenizerDescription Tokens { get; }

    public int Chunk => 4096;

    public string Engine { get; }

    /// <summary>Opens <paramref name="onnxPath"/> and the tokeniser its metadata names beside it.</summary>
    public static OnnxRunClassifier Open(string onnxPath, bool useCuda, int threads = 0)
    {
        onnxPath = Path.GetFullPath(onnxPath);
        if (!File.Exists(onnxPath))
            throw new LmevException($"--onnx {onnxPath}: no such file; expected a classifier written by `lmev export-onnx --model M -o FILE.onnx` (or name a trained run with --model)");
        var session = OnnxEmbedder.Open(onnxPath, new OnnxEmbedderOptions(IntraOpThreads: threads, UseCuda: useCuda, Log: _ => { }));
        try
        {
            var metadata = session.Metadata;
            if (metadata.GetValueOrDefault(ClassifierExport.KindKey) != ClassifierExport.Kind || !metadata.TryGetValue(ClassifierExport.ClassesKey, out var classesJson))
                throw new LmevException($"{onnxPath}: metadata {ClassifierExport.KindKey} is '{metadata.GetValueOrDefault(ClassifierExport.KindKey) ?? "(none)"}'; " +
                    $"expected '{ClassifierExport.Kind}' with its classes: a classifier written by `lmev export-onnx`");
            var classes = JsonSerializer.Deserialize<string[]>(classesJson)
                ?? throw new LmevException($"{onnxPath}: metadata {ClassifierExport.ClassesKey} is not a JSON array of class names; export it again");
            var folder = Path.GetDirectoryName(onnxPath)!;
            var tokenizerPath = Path.Combine(folder, metadata.GetValueOrDefault(ClassifierExport.TokenizerKey) ?? Path.GetFileName(TokenizerDescription.PathFor(onnxPath)));
            var tokens = TokenizerDescription.Read(tokenizerPath);
            var vocabulary = Path.Combine(folder, tokens.Vocabulary);
            if (!File.Exists(vocabulary))
                throw new LmevException($"{vocabulary}: not found; {tokenizerPath} names it as the classifier's vocabulary; keep the files `lmev export-onnx` wrote together");
            Func<IReadOnlyList<string>, float[]> probabilities;
            switch (tokens.Kind)
            {
                case TokenizerDescription.NnlmKind:
                {
                    var nnlm = tokens.Nnlm!;
                    var tokenizer = NnlmTokenizer.Load(vocabulary, nnlm.OovBuckets, nnlm.Options());
                    probabilities = titles => Bags(session, tokenizer.Bags(titles), titles.Count, classes.Length);
                    break;
                }
                case TokenizerDescription.FastTextKind:
                {
                    var ft = tokens.FastText!;
                    var dictionary = FastTextDictionary.Read(vocabulary, ft.WordNgrams, ft.Buckets);
                    probabilities = titles => Bags(session, dictionary.Bags(titles), titles.Count, classes.Length);
                    break;
                }
                default:
                {
                    var encoder = WordPieceEncoder.Open(vocabulary, tokens.WordPiece!.MaxTokens);
                    probabilities = titles => Transformer(session, encoder, tokens.WordPiece.PadId, titles, classes.Length);
                    break;
                }
            }
            return new OnnxRunClassifier(session, classes, tokens, probabilities);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public ClassScores Score(IReadOnlyList<string> titles)
    {
        var probabilities = _probabilities(titles);
        return new ClassScores(probabilities, probabilities, Classes.Count);
    }

    private static float[] Bags(OnnxEmbedder session, Lmev.Training.TokenBags bags, int titles, int classes)
    {
        if (titles == 0) return [];
        var (values, _) = session.Run(
            [
                OnnxInput.Int64(ClassifierGraph.IdsInput, bags.Ids, bags.Ids.Length),
                OnnxInput.Int64(ClassifierGraph.OffsetsInput, bags.Offsets[..^1], titles),
            ],
            ClassifierGraph.ProbabilitiesOutput);
        if (values.Length != (long)titles * classes)
            throw new LmevException($"{session.ModelPath}: {values.Length} probabilities for {titles} titles of {classes} classes; export the classifier again");
        return values;
    }

    private static float[] Transformer(OnnxEmbedder session, WordPieceEncoder encoder, int padId, IReadOnlyList<string> titles, int classes)
    {
        var encoded = titles.Select(encoder.Encode).ToArray();
        var order = Enumerable.Range(0, titles.Count).OrderBy(i => encoded[i].Count).ToArray();
        var result = new float[titles.Count * classes];
        for (var start = 0; start < order.Length; start += TransformerBatch)
        {
            var rows = order.AsSpan(start, Math.Min(TransformerBatch, order.Length - start)).ToArray();
            var length = encoded[rows[^1]].Count;
            var ids = new long[rows.Length * length];
            var mask = new long[rows.Length * length];
            Array.Fill(ids, padId);
            for (var r = 0; r < rows.Length; r++)
                for (var t = 0; t < encoded[rows[r]].Count; t++)
                {
                    ids[r * length + t] = encoded[rows[r]][t];
                    mask[r * length + t] = 1;
                }
            var (values, _) = session.Run(
                [
                    OnnxInput.Int64(ClassifierGraph.InputIdsInput, ids, rows.Length, length),
                    OnnxInput.Int64(ClassifierGraph.AttentionMaskInput, mask, rows.Length, length),
                ],
                ClassifierGraph.ProbabilitiesOutput);
            for (var r = 0; r < rows.Length; r++) values.AsSpan(r * classes, classes).CopyTo(result.AsSpan(rows[r] * classes, classes));
        }
        return result;
    }

    public void Dispose() => _session.Dispose();
}
