using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// Where the parts of a TF-Hub text-embedding model lie in its folder. TF-Hub published two layouts: the TF1
/// hub module (<c>tfhub_module.pb</c> beside a <c>saved_model.pb</c>) and the TF2 SavedModel
/// (<c>saved_model.pb</c> alone); both keep the checkpoint in <c>variables/variables.{index,data-*}</c> and
/// the vocabulary in <c>assets/tokens.txt</c>.
/// </summary>
/// <param name="IsHubModule">TF1 hub module: its graph splits titles with <c>tf.string_split</c>, which drops empty tokens.</param>
public sealed record HubModelLayout(string Directory, bool IsHubModule)
{
    public string SavedModelPath => Path.Combine(Directory, "saved_model.pb");

    /// <summary>The checkpoint's path prefix, as <see cref="TensorBundleReader.Open"/> takes it.</summary>
    public string VariablesPrefix => Path.Combine(Directory, "variables", "variables");

    public string VocabularyPath => Path.Combine(Directory, "assets", "tokens.txt");

    public string Name => IsHubModule ? "TF1 hub module (tfhub_module.pb)" : "SavedModel (saved_model.pb)";

    /// <summary>Recognises the layout, or fails naming the folder and what it holds.</summary>
    public static HubModelLayout Of(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new LmevException($"{directory}: model folder not found");
        var hubModule = File.Exists(Path.Combine(directory, "tfhub_module.pb"));
        if (!hubModule && !File.Exists(Path.Combine(directory, "saved_model.pb")))
            throw new LmevException($"{directory}: neither saved_model.pb nor tfhub_module.pb; expected a TF-Hub model (a TF2 SavedModel or a TF1 hub module). " +
                $"It holds: {Listing(directory)}");
        var layout = new HubModelLayout(directory, hubModule);
        if (!File.Exists(layout.VariablesPrefix + ".index"))
            throw new LmevException($"{directory}: no variables/variables.index; a {layout.Name} keeps its weights there. It holds: {Listing(directory)}");
        return layout;
    }

    private static string Listing(string directory)
    {
        var entries = System.IO.Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(directory, p)).Order(StringComparer.Ordinal).Take(20).ToList();
        return entries.Count == 0 ? "nothing" : string.Join(", ", entries);
    }
}
