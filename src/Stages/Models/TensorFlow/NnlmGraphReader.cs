using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;
using Ref = Lmev.Models.TensorFlow.GraphView.Ref;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// Reads an NNLM-style text embedding's recipe from its graph: follows the serving signature (a TF2 SavedModel's
/// <c>serving_default</c>, a TF1 hub module's <c>default</c>) from its string input to its output, and takes every op
/// on that path as the specification — the regex and case ops and the split op in order, the table and its
/// initializer (the vocabulary asset), the OOV hash buckets, the gathers and their variables (partitions and their
/// <c>mod</c>/<c>div</c> strategy, as tf.nn.embedding_lookup builds them), the fill of empty rows and the
/// <c>SparseSegment*</c> combiner. An op on the path that lmev does not model is an error naming it and its node.
/// </summary>
public static class NnlmGraphReader
{
    /// <summary>Reads the recipe, or throws naming the node, op or attribute that stops it.</summary>
    /// <param name="checkpointKeys">The checkpoint's keys: a variable no restore op names is matched to a key equal to its name.</param>
    /// <exception cref="NoSignatureException">The graph has no signature to follow.</exception>
    public static NnlmRecipe Read(string savedModelPath, bool hubModule, IReadOnlySet<string> checkpointKeys) =>
        Read(SavedModelGraph.Read(savedModelPath), savedModelPath, hubModule, checkpointKeys);

    /// <inheritdoc cref="Read(string, bool, IReadOnlySet{string})"/>
    public static NnlmRecipe Read(SavedModel model, string savedModelPath, bool hubModule, IReadOnlySet<string> checkpointKeys)
    {
        var meta = PickMetaGraph(model, savedModelPath);
        var view = new GraphView(savedModelPath, meta);
        var (label, input, output) = Entry(view, hubModule);
        return new NnlmGraphWalk(view, input, output, checkpointKeys).Recipe(label);
    }

    /// <summary>The graph has no serving signature: its recipe cannot be followed from an input (lmev then falls back to its layout rules).</summary>
    public sealed class NoSignatureException(string message) : LmevException(message);

    private static MetaGraphDef PickMetaGraph(SavedModel model, string path)
    {
        var graphs = model.MetaGraphs.Where(m => m.GraphDef is not null).ToList();
        if (graphs.Count == 0) throw new LmevException($"{path}: holds no MetaGraphDef with a graph; expected a SavedModel.");
        // A SavedModel serves with "serve"; a TF1 hub module's default graph has no tags (hub's "train" graph is the other).
        return graphs.FirstOrDefault(m => m.MetaInfoDef?.Tags.Contains("serve") == true)
            ?? graphs.FirstOrDefault(m => m.MetaInfoDef is null || m.MetaInfoDef.Tags.Count == 0)
            ?? graphs[0];
    }

    private static (string Label, Ref Input, Ref Output) Entry(GraphView view, bool hubModule)
    {
        var signatures = view.Meta.SignatureDef.Where(s => !s.Key.StartsWith("__", StringComparison.Ordinal)).ToDictionary(s => s.Key, s => s.Value);
        var preferred = hubModule ? "default" : "serving_default";
        var (name, signature) = signatures.TryGetValue(preferred, out var p) ? (preferred, p)
            : signatures.Count == 1 ? (signatures.Keys.Single(), signatures.Values.Single())
            : throw new NoSignatureException(signatures.Count == 0
                ? $"{view.Path}: has no signature (expected '{preferred}'), so the path from a title to its embedding cannot be followed"
                : $"{view.Path}: has no signature '{preferred}' and several others ({string.Join(", ", signatures.Keys.Order(StringComparer.Ordinal))}); expected one to follow");
        var strings = signature.Inputs.Where(i => i.Value.Dtype == (int)TensorDType.String).ToList();
        if (strings.Count != 1)
            throw new LmevException($"{view.Path}: signature '{name}' has {strings.Count} string inputs ({string.Join(", ", signature.Inputs.Keys)}); expected exactly one, the titles.");
        var outputs = signature.Outputs.Count == 1 ? signature.Outputs.Single()
            : signature.Outputs.FirstOrDefault(o => o.Key == "default") is { Key: not null } d ? d
            : throw new LmevException($"{view.Path}: signature '{name}' has the outputs {string.Join(", ", signature.Outputs.Keys)}; expected one, or one named 'default'.");
        var input = view.MainTensor(strings[0].Value.Name) ?? throw new LmevException($"{view.Path}: signature '{name}' input '{strings[0].Key}' names {strings[0].Value.Name}, which is no node of the graph.");
        var output = view.MainTensor(outputs.Value.Name) ?? throw new LmevException($"{view.Path}: signature '{name}' output '{outputs.Key}' names {outputs.Value.Name}, which is no node of the graph.");
        return ($"signature '{name}' of {Path.GetFileName(view.Path)}, input '{strings[0].Key}' ({strings[0].Value.Name}) to output '{outputs.Key}' ({outputs.Value.Name})", input, output);
    }
}
