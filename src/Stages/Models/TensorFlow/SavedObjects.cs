using System.Globalization;
using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// A TF2 SavedModel's object graph (MetaGraphDef.object_graph_def, core/protobuf/saved_object_graph.proto): the objects
/// <c>tf.saved_model.save</c> found from the saved root (node 0) — variables, resources such as lookup tables, assets,
/// functions — and for each concrete function the objects its captured inputs are bound to (<c>bound_inputs</c>: the
/// function's last arguments, in order). A variable's checkpoint key is its object path from the root, the first one a
/// breadth-first walk over the children finds (as TensorFlow's checkpointer names it, local names escaped "." → "..",
/// "/" → ".S"), plus <c>/.ATTRIBUTES/VARIABLE_VALUE</c>. This is where a model saved without signatures keeps the path
/// from its input to its output: the root's <c>__call__</c>.
/// </summary>
public sealed class SavedObjects
{
    private readonly SavedObjectGraph _graph;
    private readonly string?[] _paths;

    private SavedObjects(string path, MetaGraphDef meta)
    {
        SourcePath = path;
        Meta = meta;
        _graph = meta.ObjectGraphDef;
        _paths = new string?[_graph.Nodes.Count];
        _paths[0] = "";
        var pending = new Queue<int>([0]);
        while (pending.TryDequeue(out var id))
            foreach (var child in _graph.Nodes[id].Children)
            {
                if (child.NodeId < 0 || child.NodeId >= _paths.Length)
                    throw new LmevException($"{path}: object graph node {id}'s child '{child.LocalName}' is node {child.NodeId}, but the graph has {_paths.Length} nodes.");
                if (_paths[child.NodeId] is not null) continue;
                var name = child.LocalName.Replace(".", "..", StringComparison.Ordinal).Replace("/", ".S", StringComparison.Ordinal);
                _paths[child.NodeId] = id == 0 ? name : $"{_paths[id]}/{name}";
                pending.Enqueue(child.NodeId);
            }
        foreach (var (name, function) in _graph.ConcreteFunctions)
            foreach (var bound in function.BoundInputs.Where(b => b < 0 || b >= _paths.Length))
                throw new LmevException($"{path}: concrete function '{name}' is bound to object {bound}, but the object graph has {_paths.Length} nodes.");
    }

    /// <summary>The object graph of <paramref name="meta"/>, or null when it has none (TF1 graphs, hub modules).</summary>
    public static SavedObjects? Of(string path, MetaGraphDef meta) =>
        meta.ObjectGraphDef is { Nodes.Count: > 0 } ? new SavedObjects(path, meta) : null;

    /// <summary>The saved_model.pb it was read from.</summary>
    public string SourcePath { get; }

    public MetaGraphDef Meta { get; }

    public int Count => _graph.Nodes.Count;

    public SavedObject Node(int id) => _graph.Nodes[id];

    /// <summary>The object's path from the root ("" for the root itself), or null when the root does not reach it.</summary>
    public string? ObjectPath(int id) => _paths[id];

    /// <summary>The checkpoint key of a variable's value, by its object path.</summary>
    public string? CheckpointKey(int id) =>
        _graph.Nodes[id].KindCase == SavedObject.KindOneofCase.Variable && _paths[id] is { } p ? $"{p}/.ATTRIBUTES/VARIABLE_VALUE" : null;

    /// <summary>The child of <paramref name="id"/> with that local name.</summary>
    public int? Child(int id, string localName) =>
        _graph.Nodes[id].Children.FirstOrDefault(c => c.LocalName == localName) is { } c ? c.NodeId : null;

    /// <summary>The objects a concrete function's captured inputs are bound to (empty when the graph does not list it).</summary>
    public IReadOnlyList<int> BoundInputs(string concreteFunction) =>
        _graph.ConcreteFunctions.TryGetValue(concreteFunction, out var f) ? f.BoundInputs : [];

    /// <summary>Every concrete function the object graph lists.</summary>
    public IEnumerable<string> ConcreteFunctionNames => _graph.ConcreteFunctions.Keys.Order(StringComparer.Ordinal);

    /// <summary>The concrete functions of a function object (a <c>tf.function</c>'s traces, or one bare concrete function).</summary>
    public IReadOnlyList<string> ConcreteFunctionsOf(int id) => _graph.Nodes[id].KindCase switch
    {
        SavedObject.KindOneofCase.Function => _graph.Nodes[id].Function.ConcreteFunctions,
        SavedObject.KindOneofCase.BareConcreteFunction => [_graph.Nodes[id].BareConcreteFunction.ConcreteFunctionName],
        _ => [],
    };

    /// <summary>Each function object the root reaches: its path and its concrete functions with the objects each is bound to.</summary>
    public IEnumerable<(string Path, string Concrete, IReadOnlyList<int> Bound)> Functions() =>
        Enumerable.Range(0, Count).Where(id => _paths[id] is not null)
            .SelectMany(id => ConcreteFunctionsOf(id).Select(c => (_paths[id]!, c, BoundInputs(c))));

    /// <summary>One object as an error or a listing names it: its kind, its path, and for a variable its shape and checkpoint key.</summary>
    public string Describe(int id)
    {
        var node = _graph.Nodes[id];
        var path = _paths[id] is { } p ? (p.Length == 0 ? "the root" : $"'{p}'") : $"unreachable node {id}";
        return node.KindCase switch
        {
            SavedObject.KindOneofCase.Variable => $"variable {path} ({new BundleTensor("", node.Variable.Dtype, [], 0, false).DTypeName} " +
                $"[{string.Join(", ", node.Variable.Shape?.Dim.Select(d => d.Size.ToString(CultureInfo.InvariantCulture)) ?? [])}], checkpoint key \"{CheckpointKey(id)}\")",
            SavedObject.KindOneofCase.Asset => $"asset {path} ({AssetFile(id) ?? "no asset_file_def"})",
            SavedObject.KindOneofCase.Resource => $"resource {path}",
            SavedObject.KindOneofCase.Function or SavedObject.KindOneofCase.BareConcreteFunction => $"function {path}",
            SavedObject.KindOneofCase.UserObject => $"object {path} ({node.UserObject.Identifier})",
            _ => $"object {path} ({node.KindCase})",
        };
    }

    /// <summary>The file name of an asset object (its asset_file_def entry), or null.</summary>
    public string? AssetFile(int id) =>
        _graph.Nodes[id].KindCase == SavedObject.KindOneofCase.Asset && _graph.Nodes[id].Asset.AssetFileDefIndex is var i && i >= 0 && i < Meta.AssetFileDef.Count
            ? Meta.AssetFileDef[i].Filename : null;
}
