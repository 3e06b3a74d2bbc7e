using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Training;
using Lmev.Training.FastText;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Lmev.Inference;

/// <summary>
/// `lmev export-onnx`: a trained run's whole classifier as one ONNX model, and beside it its tokeniser described
/// (<see cref="TokenizerDescription"/>) with a copy of its vocabulary. Bag-of-embeddings and fastText runs take token bags
/// (<c>ids</c> [tokens] int64, the rows the tokeniser gives, and <c>offsets</c> [batch] int64, where each title starts) and pool
/// them as the run did; a transformer run takes <c>input_ids</c> and <c>attention_mask</c> [batch, tokens] and holds the encoder,
/// its mean pooling and L2 normalisation. Every kind ends in the run's head and a softmax: <c>probabilities</c> [batch, classes].
/// The metadata names the classes (<see cref="ClassesKey"/>, a JSON array by label), the tokeniser's file and the run.
/// </summary>
public static class ClassifierExport
{
    public const string Kind = "lmev-classifier";
    public const string KindKey = "lmev.kind", ClassesKey = "lmev.classes", TokenizerKey = "lmev.tokenizer", RunKey = "lmev.run", TrainEntryKey = "lmev.train_entry";

    /// <summary>Writes the model to <paramref name="onnxPath"/> and its tokeniser beside it; returns the files written.</summary>
    public static IReadOnlyList<string> Write(TrainedRun run, string onnxPath)
    {
        onnxPath = Path.GetFullPath(onnxPath);
        if (!onnxPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new LmevException($"{onnxPath}: expected a file name ending in .onnx (the tokeniser goes beside it as <name>.tokenizer.json)");
        Directory.CreateDirectory(Path.GetDirectoryName(onnxPath)!);
        var stem = Path.ChangeExtension(onnxPath, null);
        var vocabularyCopy = stem + ".vocabulary.txt";
        var tokenizerPath = TokenizerDescription.PathFor(onnxPath);

        TorchRuntime.EnsureLoaded();
        var metadata = Metadata(run, Path.GetFileName(tokenizerPath)).ToList();
        TokenizerDescription tokens;
        string? dataFile;
        switch (run.Kind)
        {
            case RunKind.FastText:
            {
                var ft = run.Parameters.Train.FastText!;
                var dictionary = FastTextDictionary.Read(run.Vocabulary, ft.WordNgrams, ft.Buckets);
                using var classifier = TorchRunClassifier.Load(run, () => SavedClassifier.FastText(run.Weights, dictionary.Rows, ft.Dim, run.Parameters.Classes, useCuda: false));
                dataFile = BagModel(onnxPath, metadata, classifier, g => g.Weight(classifier, classifier.TableWeight!), ft.Dim, BagCombiner.Mean);
                tokens = new TokenizerDescription(1, TokenizerDescription.FastTextKind, Path.GetFileName(vocabularyCopy), dictionary.Words.Count,
                    "one word per line, then a tab and its count in the training titles; line i (from 0) is row i", BagInputs)
                {
                    FastText = new FastTextTokens(
                        "the bytes ' ', '\\n', '\\r', '\\t', '\\v', '\\f' and '\\0' (a run of them is one break; no empty token)",
                        FastTextDictionary.EndOfLine, dictionary.WordNgrams, dictionary.Buckets,
                        "h = FNV-1a 32-bit over the token's UTF-8 bytes, each byte sign-extended to 32 bits before the xor (fastText's Dictionary::hash)",
                        "a title's rows are its tokens' vocabulary rows (tokens not in the vocabulary have none), then, for each token i and each n from 2 to " +
                        "wordNgrams (while i + n - 1 is a token, the end-of-line token included): g = h_i as a sign-extended int32 read as uint64, then " +
                        "g = g * 116049371 + h_j (sign-extended likewise) for j = i + 1 … i + n - 1, in 64 bits; row = vocabularySize + g mod buckets",
                        BagOfEmbeddingsSpec.Mean),
                };
                break;
            }
            case RunKind.FineTune:
            {
                var spec = BagOfEmbeddingsSpec.FromMetadata(TorchRunClassifier.OnnxMetadata(run.ModelFile!), run.ModelFile!);
                using var classifier = TorchRunClassifier.Load(run, () => SavedClassifier.FineTune(run.Weights, spec.RowCount, spec.Dim, run.Parameters.Classes,
                    run.Parameters.Train.Hidden, TorchRunClassifier.CombinerOf(spec), useCuda: false));
                dataFile = BagModel(onnxPath, metadata, classifier, g => g.Weight(classifier, classifier.TableWeight!), spec.Dim, TorchRunClassifier.CombinerOf(spec));
                tokens = NnlmDescription(spec, vocabularyCopy);
                break;
            }
            case RunKind.FrozenBag:
            {
                var table = BagOfEmbeddingsModel.Load(run.ModelFile!);
                using var classifier = TorchRunClassifier.Load(run, () => SavedClassifier.Frozen(run.Weights, table.Spec.Dim, run.Parameters.Classes, run.Parameters.Train.Hidden, useCuda: false));
                dataFile = BagModel(onnxPath, metadata, classifier, g => g.Weight("lmev_table", [table.Spec.RowCount, table.Spec.Dim], table.Table),
                    table.Spec.Dim, TorchRunClassifier.CombinerOf(table.Spec));
                tokens = NnlmDescription(table.Spec, vocabularyCopy);
                break;
            }
            default:
            {
                var settings = run.Embed!;
                var encoder = WordPieceEncoder.Open(run.Vocabulary, settings.MaxTokens);
                dataFile = TransformerModel(onnxPath, metadata, run, settings);
                var t = encoder.Tokenizer;
                tokens = new TokenizerDescription(1, TokenizerDescription.WordPieceKind, Path.GetFileName(vocabularyCopy), NnlmTokenizer.ReadVocabulary(run.Vocabulary).Count,
                    "one wordpiece per line (continuations start with ##); line i (from 0) is id i",
                    $"{ClassifierGraph.InputIdsInput} and {ClassifierGraph.AttentionMaskInput}: int64 [batch, tokens], each title's ids from the first column, " +
                    "shorter titles padded with padId under a mask of 0 (1 on every real token); the model gives the encoder token_type_ids of 0 itself")
                {
                    WordPiece = new WordPieceTokens(true, true, settings.MaxTokens, t.ClassificationTokenId, t.SeparatorTokenId, t.PaddingTokenId, t.UnknownTokenId,
                        $"mean of the encoder's last_hidden_state over the masked-in tokens{(settings.L2Normalize ? ", divided by its L2 norm" : "")}"),
                };
                break;
            }
        }

        // A copy of its own, writable like the other files written here (the cache's is read-only).
        AtomicFile.Write(vocabularyCopy, to => { using var from = File.OpenRead(run.Vocabulary); from.CopyTo(to); });
        tokens.Write(tokenizerPath);
        return new[] { onnxPath, dataFile, tokenizerPath, vocabularyCopy }.OfType<string>().ToList();
    }

    private const string BagInputs =
        $"{ClassifierGraph.IdsInput}: int64 [tokens], every title's rows in order, concatenated; {ClassifierGraph.OffsetsInput}: int64 [batch], " +
        "where each title's rows start in ids (the first is 0; a title with no row has the offset of the next)";

    private static TokenizerDescription NnlmDescription(BagOfEmbeddingsSpec spec, string vocabularyCopy) =>
        new(1, TokenizerDescription.NnlmKind, Path.GetFileName(vocabularyCopy), spec.VocabularySize,
            "one token per line, UTF-8, lines end at '\\n' (a '\\r' before it is dropped); line i (from 0) is row i (may be empty: every token then takes an OOV row)",
            BagInputs)
        { Nnlm = NnlmTokens.Of(spec) };

    private static IEnumerable<(string, string)> Metadata(TrainedRun run, string tokenizerFile) =>
    [
        (KindKey, Kind),
        (ClassesKey, JsonSerializer.Serialize(run.Classes, CanonicalJson.Options)),
        (TokenizerKey, tokenizerFile),
        (RunKey, run.Name),
        (TrainEntryKey, run.TrainEntry),
        ("lmev.mode", run.Parameters.Train.Mode),
        ("lmev.dim", run.Parameters.Train.Dim.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>ids, offsets → the table's rows pooled → the head → probabilities.</summary>
    private static string? BagModel(string onnxPath, IEnumerable<(string, string)> metadata, SavedClassifier classifier, Func<ClassifierGraph, string> table, long dim, BagCombiner combiner)
    {
        var graph = new GraphProto { Name = "lmev_classifier" };
        using var g = new ClassifierGraph(graph, onnxPath, ClassifierGraph.BagOpset);
        graph.Input.Add(OnnxProtos.Tensor(ClassifierGraph.IdsInput, DataType.Int64, "tokens"));
        graph.Input.Add(OnnxProtos.Tensor(ClassifierGraph.OffsetsInput, DataType.Int64, "batch"));
        var pooled = g.PoolBags(table(g), ClassifierGraph.IdsInput, ClassifierGraph.OffsetsInput, dim, combiner);
        g.Head(classifier, pooled);
        g.Save(OnnxProtos.Model(graph, ClassifierGraph.BagOpset, metadata.ToDictionary(m => m.Item1, m => m.Item2)), onnxPath);
        return g.DataFile;
    }

    /// <summary>The encoder's graph, its token_type_ids made inside (zeros), its states pooled as the Embed step did, the head.</summary>
    private static string? TransformerModel(string onnxPath, IEnumerable<(string Key, string Value)> metadata, TrainedRun run, EmbedSettings settings)
    {
        ModelProto model;
        using (var stream = File.OpenRead(run.ModelFile!)) model = ModelProto.Parser.ParseFrom(stream);
        if (model.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
            throw new LmevException($"{run.ModelFile}: the encoder keeps its weights in external data; lmev exports encoders whose weights are inside the model file");
        var graph = model.Graph;
        var opset = (int)model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        var names = graph.Input.Select(i => i.Name).ToList();
        string[] expected = [ClassifierGraph.InputIdsInput, ClassifierGraph.AttentionMaskInput, "token_type_ids"];
        if (!expected.All(names.Contains) || graph.Output.All(o => o.Name != "last_hidden_state"))
            throw new LmevException($"{run.ModelFile}: inputs [{string.Join(", ", names)}], outputs [{string.Join(", ", graph.Output.Select(o => o.Name))}]; " +
                "expected input_ids, attention_mask, token_type_ids and last_hidden_state (a BERT-style sentence encoder)");
        var g = new ClassifierGraph(graph, onnxPath, opset);
        try
        {
            var typeIds = graph.Input.First(i => i.Name == "token_type_ids");
            graph.Input.Remove(typeIds);
            g.AddTo("token_type_ids", "ConstantOfShape", [g.Add("Shape", [ClassifierGraph.InputIdsInput])],
                OnnxProtos.TensorValue("value", OnnxProtos.Int64s("zero", [1], 0)));
            graph.Output.Clear();
            var pooled = g.MeanPool("last_hidden_state", ClassifierGraph.AttentionMaskInput, settings.L2Normalize);
            using var classifier = TorchRunClassifier.Load(run, () => SavedClassifier.Frozen(run.Weights, run.Parameters.Train.Dim, run.Parameters.Classes, run.Parameters.Train.Hidden, useCuda: false));
            g.Head(classifier, pooled);
            foreach (var (key, value) in metadata)
            {
                var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
                if (existing is not null) existing.Value = value;
                else model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            }
            g.Save(model, onnxPath);
            return g.DataFile;
        }
        finally { g.Dispose(); }
    }
}
