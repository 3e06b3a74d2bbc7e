using System.Globalization;
using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// One MetaGraphDef of a SavedModel as a data-flow graph that can be walked backwards across function calls: a
/// <c>StatefulPartitionedCall</c>/<c>PartitionedCall</c> output leads into its function's <c>ret</c>, a function's
/// argument back to the caller's input, <c>Identity</c> to what it forwards. TF2 models keep every op inside such
/// functions (core/framework/function.proto: inputs "node:out:index" or an argument's name); TF1 graphs are flat.
/// A TF2 model saved without signatures is entered at a function no node calls (<see cref="RootScope"/>): its captured
/// arguments are bound to objects of the object graph (<see cref="BoundObject"/>).
/// </summary>
internal sealed class GraphView
{
    private readonly Dictionary<string, FunctionDef> _functions;
    private readonly Dictionary<(int, string), Scope> _calls = [];
    private readonly Dictionary<string, Scope> _roots = new(StringComparer.Ordinal);
    private int _scopes;

    public GraphView(string path, MetaGraphDef meta, SavedObjects? objects = null)
    {
        Path = path;
        Meta = meta;
        Objects = objects;
        _functions = (meta.GraphDef.Library?.Function ?? []).GroupBy(f => f.Signature?.Name ?? "").ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        Main = new Scope(this, _scopes++, null, null, null, meta.GraphDef.Node);
    }

    public string Path { get; }

    public MetaGraphDef Meta { get; }

    /// <summary>The object graph (TF2), or null.</summary>
    public SavedObjects? Objects { get; }

    public Scope Main { get; }

    /// <summary>A function of the graph's library by name, or null.</summary>
    public FunctionDef? Function(string name) => _functions.GetValueOrDefault(name);

    /// <summary>The graph, or a function's body as called from one call node.</summary>
    internal sealed class Scope
    {
        private readonly Dictionary<string, NodeDef> _nodes;

        public Scope(GraphView view, int id, FunctionDef? function, Scope? parent, NodeDef? call, IEnumerable<NodeDef> nodes, IReadOnlyList<int>? bound = null)
        {
            Bound = bound;
            View = view;
            Id = id;
            Function = function;
            Parent = parent;
            Call = call;
            _nodes = new Dictionary<string, NodeDef>(StringComparer.Ordinal);
            foreach (var n in nodes) _nodes.TryAdd(n.Name, n);
            if (function?.Signature is { } signature)
                for (var i = 0; i < signature.InputArg.Count; i++)
                    _nodes.TryAdd(signature.InputArg[i].Name, new NodeDef { Name = signature.InputArg[i].Name, Op = ArgOp, Attr = { ["index"] = new AttrValue { I = i } } });
        }

        public GraphView View { get; }
        public int Id { get; }
        public FunctionDef? Function { get; }
        public Scope? Parent { get; }
        public NodeDef? Call { get; }

        /// <summary>For a function entered from the object graph: the objects its last arguments (its captures) are bound to.</summary>
        public IReadOnlyList<int>? Bound { get; }
        public IEnumerable<NodeDef> Nodes => _nodes.Values;

        public NodeDef? Find(string name) => _nodes.GetValueOrDefault(name);

        public string Label => Function is null ? "the graph" : $"function '{Function.Signature.Name}'";
    }

    /// <summary>A function argument, as a node of its body.</summary>
    public const string ArgOp = "_Arg";

    /// <summary>One output of one node in one scope.</summary>
    internal readonly record struct Ref(Scope Scope, NodeDef Node, int Output)
    {
        public string Op => Node.Op;
        public string Where => $"node '{Node.Name}' ({Node.Op}) in {Scope.Label}";
        public (int, string) Key => (Scope.Id, Node.Name);
    }

    /// <summary>The output arguments of the multi-output ops lmev follows (op_def of each), to turn "node:out:i" into a flat index.</summary>
    private static readonly Dictionary<string, string[]> OutputArgs = new(StringComparer.Ordinal)
    {
        ["StringSplit"] = ["indices", "values", "shape"],
        ["StringSplitV2"] = ["indices", "values", "shape"],
        ["SparseFillEmptyRows"] = ["output_indices", "output_values", "empty_row_indicator", "reverse_index_map"],
        ["Unique"] = ["y", "idx"],
        ["UniqueV2"] = ["y", "idx"],
        ["SparseReshape"] = ["output_indices", "output_shape"],
        ["RaggedTensorToSparse"] = ["sparse_indices", "sparse_values", "sparse_dense_shape"],
        ["ShapeN"] = ["output"],
    };

    /// <summary>The data inputs of a node (control inputs "^x" left out), each as the output it reads, not yet resolved.</summary>
    public IReadOnlyList<Ref> Inputs(Ref at)
    {
        var result = new List<Ref>();
        foreach (var input in at.Node.Input)
        {
            if (input.StartsWith('^')) continue;
            result.Add(Parse(at.Scope, input, at));
        }
        return result;
    }

    public Ref Input(Ref at, int index)
    {
        var inputs = Inputs(at);
        return index < inputs.Count ? inputs[index]
            : throw Error(at, $"expected at least {index + 1} data inputs, found {inputs.Count}");
    }

    private Ref Parse(Scope scope, string input, Ref consumer)
    {
        var parts = input.Split(':');
        var node = scope.Find(parts[0]) ?? throw Error(consumer, $"reads '{input}', which is no node{(scope.Function is null ? "" : " or argument")} of {scope.Label}");
        if (parts.Length == 1) return new Ref(scope, node, 0);
        if (scope.Function is null)
            return int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var flat) ? new Ref(scope, node, flat)
                : throw Error(consumer, $"reads '{input}', expected 'node:index'");
        var index = parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0;
        var position = OutputArgs.TryGetValue(node.Op, out var args) ? Array.IndexOf(args, parts[1]) : 0;
        return new Ref(scope, node, Math.Max(position, 0) + index);
    }

    /// <summary>The node that really produces <paramref name="r"/>: through Identity, function calls and arguments.</summary>
    public Ref Resolve(Ref r)
    {
        for (var guard = 0; guard < 10_000; guard++)
        {
            switch (r.Op)
            {
                case "Identity" or "Snapshot" or "StopGradient" or "PreventGradient" or "EnsureShape":
                    r = Input(r, 0);
                    continue;
                case "IdentityN":
                    r = Input(r, r.Output);
                    continue;
                case ArgOp when r.Scope.Call is { } call:
                    r = Input(new Ref(r.Scope.Parent!, call, 0), (int)r.Node.Attr["index"].I);
                    continue;
                case "StatefulPartitionedCall" or "PartitionedCall":
                    var scope = CallScope(r);
                    var outputs = scope.Function!.Signature.OutputArg;
                    if (r.Output >= outputs.Count) throw Error(r, $"output {r.Output} is read, but {scope.Label} has {outputs.Count} outputs");
                    if (!scope.Function.Ret.TryGetValue(outputs[r.Output].Name, out var ret))
                        throw Error(r, $"{scope.Label} returns nothing for its output '{outputs[r.Output].Name}'");
                    r = Parse(scope, ret, r);
                    continue;
                default:
                    return r;
            }
        }
        throw Error(r, "forwards through more than 10,000 Identity nodes and calls; the graph loops");
    }

    /// <summary>A concrete function of the object graph entered directly (no node calls it), its captures bound to objects.</summary>
    public Scope RootScope(string concreteFunction)
    {
        if (_roots.TryGetValue(concreteFunction, out var scope)) return scope;
        var function = Function(concreteFunction)
            ?? throw new LmevException($"{Path}: the object graph names the concrete function '{concreteFunction}', which is not in the graph's function library.");
        var bound = Objects?.BoundInputs(concreteFunction) ?? [];
        if (bound.Count > function.Signature.InputArg.Count)
            throw new LmevException($"{Path}: function '{concreteFunction}' has {function.Signature.InputArg.Count} arguments, but the object graph binds {bound.Count} captured inputs to it.");
        scope = new Scope(this, _scopes++, function, null, null, function.NodeDef, bound);
        _roots[concreteFunction] = scope;
        return scope;
    }

    /// <summary>The object a captured argument of a function entered from the object graph is bound to, or null.</summary>
    public int? BoundObject(Ref r)
    {
        if (r.Op != ArgOp || r.Scope.Call is not null || r.Scope.Bound is not { } bound) return null;
        var index = (int)r.Node.Attr["index"].I;
        var first = r.Scope.Function!.Signature.InputArg.Count - bound.Count;
        return index >= first ? bound[index - first] : null;
    }

    /// <summary>What a function's output <paramref name="output"/> returns, as a node of its body.</summary>
    public Ref Returned(Scope scope, int output)
    {
        var outputs = scope.Function!.Signature.OutputArg;
        var at = new Ref(scope, new NodeDef { Name = outputs.Count > output ? outputs[output].Name : $"output {output}", Op = "_Retval" }, 0);
        if (output >= outputs.Count) throw Error(at, $"is read, but {scope.Label} has {outputs.Count} outputs");
        if (!scope.Function.Ret.TryGetValue(outputs[output].Name, out var ret)) throw Error(at, $"{scope.Label} returns nothing for it");
        return Parse(scope, ret, at);
    }

    /// <summary>The body of the function a call node calls, one scope per call node.</summary>
    public Scope CallScope(Ref call)
    {
        if (_calls.TryGetValue(call.Key, out var scope)) return scope;
        if (!call.Node.Attr.TryGetValue("f", out var f) || f.Func is null)
            throw Error(call, "calls no function (no attribute f)");
        if (!_functions.TryGetValue(f.Func.Name, out var function))
            throw Error(call, $"calls '{f.Func.Name}', which is not in the graph's function library");
        if (Depth(call.Scope) > 32) throw Error(call, "calls functions more than 32 deep");
        scope = new Scope(this, _scopes++, function, call.Scope, call.Node, function.NodeDef);
        _calls[call.Key] = scope;
        return scope;
    }

    private static int Depth(Scope s) => s.Parent is null ? 0 : 1 + Depth(s.Parent);

    /// <summary>Every node of the graph, of every concrete function of the object graph, and of every function they call, each call's body once per call node.</summary>
    public IEnumerable<Ref> AllNodes()
    {
        var pending = new Queue<Scope>([Main, .. (Objects?.ConcreteFunctionNames ?? []).Where(n => _functions.ContainsKey(n)).Select(RootScope)]);
        while (pending.TryDequeue(out var scope))
            foreach (var node in scope.Nodes.ToList())
            {
                var r = new Ref(scope, node, 0);
                yield return r;
                if (node.Op is "StatefulPartitionedCall" or "PartitionedCall" && node.Attr.TryGetValue("f", out var f) && f.Func is not null
                    && _functions.ContainsKey(f.Func.Name) && Depth(scope) < 32)
                    pending.Enqueue(CallScope(r));
            }
    }

    /// <summary>A node of the graph itself by tensor name ("name:0" or "name").</summary>
    public Ref? MainTensor(string tensorName)
    {
        var colon = tensorName.LastIndexOf(':');
        var name = colon < 0 ? tensorName : tensorName[..colon];
        var index = colon < 0 ? 0 : int.Parse(tensorName[(colon + 1)..], CultureInfo.InvariantCulture);
        return Main.Find(name) is { } node ? new Ref(Main, node, index) : null;
    }

    /// <summary>The strings of a Const node (its value's string_val), or null when it is not a string Const.</summary>
    public static IReadOnlyList<string>? Strings(Ref r) =>
        r.Op == "Const" && r.Node.Attr.TryGetValue("value", out var v) && v.Tensor is { Dtype: (int)TensorDType.String } t
            ? t.StringVal.Select(s => s.ToStringUtf8()).ToList() : null;

    public static long? Int(Ref r) =>
        r.Op == "Const" && r.Node.Attr.TryGetValue("value", out var v) && v.Tensor is { } t
            ? t.Int64Val.Count > 0 ? t.Int64Val[0] : t.IntVal.Count > 0 ? t.IntVal[0] : null : null;

    public LmevException Error(Ref at, string what) =>
        new($"{Path}: {at.Where}: {what}.");
}
