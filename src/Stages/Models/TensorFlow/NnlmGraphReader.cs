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
/// A TF2 model saved without a serving signature (the TF-Hub nnlm <c>/2</c> models: their signature_def holds only
/// <c>__saved_model_init_op</c>) keeps that path in its object graph instead: the root's <c>__call__</c> function, whose
/// concrete function takes the titles as its one string argument and captures the table and the variable, bound to
/// objects of the object graph (<see cref="SavedObjects"/>); the same walk follows it.
/// </summary>
public static class NnlmGraphReader
{
    /// <summary>Reads the recipe, or throws naming the node, op or attribute that stops it.</summary>
    /// <param name="checkpointKeys">The checkpoint's keys: a variable no restore op names is matched to a key equal to its name.</param>
    /// <exception cref="NoSignatureException">The graph has no signature to follow and no object graph <c>__call__</c> taking the titles.</exception>
    public static NnlmRecipe Read(string savedModelPath, bool hubModule, IReadOnlySet<string> checkpointKeys) =>
        Read(SavedModelGraph.Read(savedModelPath), savedModelPath, hubModule, checkpointKeys);

    /// <inheritdoc cref="Read(string, bool, IReadOnlySet{string})"/>
    public static NnlmRecipe Read(SavedModel model, string savedModelPath, bool hubModule, IReadOnlySet<string> checkpointKeys)
    {
        var meta = PickMetaGraph(model, savedModelPath);
        var view = new GraphView(savedModelPath, meta, SavedObjects.Of(savedModelPath, meta));
        string why;
        try
        {
            var (label, input, output) = Entry(view, hubModule);
            return new NnlmGraphWalk(view, input, output, checkpointKeys).Recipe(label, NnlmRecipe.SignatureRoute);
        }
        catch (NoSignatureException e) { why = e.Message; }
        var (objectLabel, objectInput, objectOutput) = ObjectEntry(view, why);
        return new NnlmGraphWalk(view, objectInput, objectOutput, checkpointKeys).Recipe(objectLabel, NnlmRecipe.ObjectGraphRoute);
    }

    /// <summary>The graph has neither a serving signature nor an object graph <c>__call__</c> taking the titles: its recipe cannot be followed from an input (lmev then falls back to its layout rules).</summary>
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

    /// <summary>
    /// The object graph's route: the root's <c>__call__</c>, and of its concrete functions the one whose arguments, less the
    /// captured inputs (bound_inputs, the last ones), are one string tensor of shape [None] or unknown, with one output.
    /// </summary>
    private static (string Label, Ref Input, Ref Output) ObjectEntry(GraphView view, string noSignature)
    {
        var objects = view.Objects ?? throw new NoSignatureException($"{noSignature}; and it has no object graph (object_graph_def) whose __call__ could be followed instead");
        var file = Path.GetFileName(view.Path);
        if (objects.Child(0, "__call__") is not { } call)
            throw new NoSignatureException($"{noSignature}; and its object graph's root has no __call__ to follow instead " +
                $"(its children: {string.Join(", ", objects.Node(0).Children.Select(c => c.LocalName))})");
        var concrete = objects.ConcreteFunctionsOf(call);
        var rejected = new List<string>();
        var usable = new List<(string Name, FunctionDef Function)>();
        foreach (var name in concrete)
        {
            var function = view.Function(name);
            if (function is null) { rejected.Add($"'{name}' is not in the function library"); continue; }
            if (TitlesArgument(function, objects.BoundInputs(name).Count) is { } why) rejected.Add($"'{name}' {why}");
            else usable.Add((name, function));
        }
        if (usable.Count == 0)
            throw new NoSignatureException($"{noSignature}; and its object graph's __call__ ({objects.Describe(call)}) has no concrete function taking " +
                $"one string tensor of shape [None] ({(rejected.Count == 0 ? "it lists none" : string.Join("; ", rejected))})");
        if (usable.Count > 1)
            throw new LmevException($"{view.Path}: the object graph's __call__ has {usable.Count} concrete functions taking one string tensor " +
                $"({string.Join(", ", usable.Select(u => u.Name))}); expected one to follow.");
        var (chosen, def) = usable[0];
        var scope = view.RootScope(chosen);
        var input = new Ref(scope, scope.Find(def.Signature.InputArg[0].Name)!, 0);
        var output = view.Returned(scope, 0);
        var captured = objects.BoundInputs(chosen).Select(objects.Describe);
        return ($"object graph of {file} (no serving signature): __call__ → concrete function '{chosen}', input '{def.Signature.InputArg[0].Name}' " +
            $"to output '{def.Signature.OutputArg[0].Name}'; captured: {string.Join(", ", captured)}", input, output);
    }

    /// <summary>Why a concrete function does not take the titles (null when it does): one non-captured argument, a string vector, one output.</summary>
    private static string? TitlesArgument(FunctionDef function, int captured)
    {
        var args = function.Signature.InputArg;
        var own = args.Count - captured;
        if (own != 1) return $"takes {own} arguments besides its {captured} captured inputs";
        if (args[0].Type != (int)TensorDType.String) return $"takes '{args[0].Name}' of dtype {args[0].Type}, not a string";
        var shape = function.Attr.TryGetValue("_input_shapes", out var shapes) && shapes.List?.Shape.Count > 0 ? shapes.List.Shape[0]
            : function.ArgAttr.TryGetValue(0, out var argAttrs) && argAttrs.Attr.TryGetValue("_output_shapes", out var o) && o.List?.Shape.Count > 0 ? o.List.Shape[0]
            : null;
        if (shape is not null && !shape.UnknownRank && (shape.Dim.Count != 1 || shape.Dim[0].Size != -1))
            return $"takes '{args[0].Name}' of shape [{string.Join(", ", shape.Dim.Select(d => d.Size))}], not [None]";
        if (function.Signature.OutputArg.Count != 1) return $"has {function.Signature.OutputArg.Count} outputs, not one";
        return null;
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
