using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;
using Ref = Lmev.Models.TensorFlow.GraphView.Ref;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// The lookup side of a walk: the vocabulary table and its initializer (the asset it reads), and the variable(s) the
/// gathers read with their checkpoint keys — from the graph's restore ops, or, for a function entered from the object
/// graph, from the objects its captured arguments are bound to.
/// </summary>
internal sealed partial class NnlmGraphWalk
{
    private VocabularySource Vocabulary(Ref lookup)
    {
        var table = view.Resolve(view.Input(lookup, 0));
        var tableObject = view.BoundObject(table);
        if (tableObject is { } id && view.Objects!.Node(id).KindCase != SavedObject.KindOneofCase.Resource)
            throw view.Error(lookup, $"looks up in {table.Where}, a captured input bound to {view.Objects.Describe(id)}; expected a table resource");
        if (tableObject is null && table.Op is not ("HashTableV2" or "HashTable"))
            throw view.Error(lookup, $"looks up in {table.Where}; lmev models HashTableV2 lookups (a StaticVocabularyTable or index_table_from_file)");
        var initializers = view.AllNodes().Where(r => r.Op is "InitializeTableFromTextFileV2" or "InitializeTableFromTextFile" or "InitializeTableV2" or "InitializeTable" or "LookupTableImportV2")
            .Where(r => SameResource(view.Resolve(view.Input(r, 0)), table)).ToList();
        var tableName = tableObject is { } bound ? $"{table.Where}, bound to {view.Objects!.Describe(bound)}," : table.Where;
        if (initializers.Count == 0)
            throw new LmevException($"{view.Path}: {tableName} is the lookup's table, and no initializer fills it; expected one (InitializeTableFromTextFileV2, or InitializeTableV2 from constants).");
        // A TF2 object graph holds one _initialize function per table object, and a StaticVocabularyTable's delegates to the
        // HashTable it wraps: the same fill twice. Fills that differ are an error.
        var sources = initializers.Select(i => (Init: i, Source: Source(i))).ToList();
        var fills = sources.GroupBy(s => FillKey(s.Source)).ToList();
        if (fills.Count > 1)
            throw new LmevException($"{view.Path}: {tableName} is the lookup's table, and {initializers.Count} initializers fill it differently: " +
                $"{string.Join("; ", fills.Select(f => $"{f.First().Init.Where}: {f.Key}"))}; expected one vocabulary.");
        return sources[0].Source;
    }

    private static string FillKey(VocabularySource s) => s.Kind == VocabularySource.Constant
        ? $"constant keys {string.Join("\u0001", s.Keys ?? [])}" : s with { Node = null } is var v ? v.ToString() : "";

    /// <summary>What one initializer fills the table with.</summary>
    private VocabularySource Source(Ref init)
    {
        if (init.Op.StartsWith("InitializeTableFromTextFile", StringComparison.Ordinal))
        {
            var source = new VocabularySource(VocabularySource.TextFile, Asset(init, view.Resolve(view.Input(init, 1))), init.Node.Name,
                Attr(init, "key_index").I, Attr(init, "value_index").I, init.Node.Attr.TryGetValue("vocab_size", out var v) ? v.I : -1,
                init.Node.Attr.TryGetValue("delimiter", out var del) ? del.S.ToStringUtf8() : "\t");
            if (source.KeyIndex < -2 || source.KeyIndex == -1 || source.ValueIndex != -1)
                throw view.Error(init, $"reads keys from column {source.KeyIndex} and values from column {source.ValueIndex}; lmev models keys from the whole line " +
                    "(-2) or a column, and the line number (-1) as the value");
            if (init.Node.Attr.TryGetValue("offset", out var offset) && offset.I != 0)
                throw view.Error(init, $"numbers lines from {offset.I}; lmev models line numbers from 0");
            return source;
        }
        var keys = GraphView.Strings(view.Resolve(view.Input(init, 1))) ?? throw view.Error(init, "its keys are not constant strings");
        var values = view.Resolve(view.Input(init, 2));
        var ids = values.Node.Attr.TryGetValue("value", out var t) && t.Tensor is { } tensor ? tensor.Int64Val.Concat(tensor.IntVal.Select(i => (long)i)).ToList() : null;
        if (ids is null || ids.Count != keys.Count || !ids.Order().SequenceEqual(Enumerable.Range(0, keys.Count).Select(i => (long)i)))
            throw view.Error(init, "its values are not the ids 0…n-1 of its keys (as constants); lmev models a vocabulary whose ids are rows 0…n-1");
        var byId = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++) byId[ids[i]] = keys[i];
        return new VocabularySource(VocabularySource.Constant, null, init.Node.Name, Keys: byId);
    }

    /// <summary>Whether two resolved refs are the same table: the same node, or captured arguments bound to the same object.</summary>
    private bool SameResource(Ref a, Ref b) =>
        view.BoundObject(b) is { } bound ? view.BoundObject(a) == bound : a.Key == b.Key;

    /// <summary>The asset a filename tensor stands for: a graph node listed in asset_file_def, a captured argument bound to an asset object, or a constant path.</summary>
    private string Asset(Ref init, Ref filename)
    {
        if (view.BoundObject(filename) is { } id)
            return view.Objects!.AssetFile(id)
                ?? throw view.Error(init, $"reads its file name from {filename.Where}, bound to {view.Objects.Describe(id)}; expected an asset of the object graph with an asset_file_def");
        if (filename.Scope.Function is null)
        {
            var asset = view.Meta.AssetFileDef.FirstOrDefault(a => a.TensorInfo?.Name is { } n && (n == filename.Node.Name || n.StartsWith(filename.Node.Name + ":", StringComparison.Ordinal)));
            if (asset is not null) return asset.Filename;
        }
        if (GraphView.Strings(filename) is [var path]) return path.Replace('\\', '/').Split('/')[^1];
        throw view.Error(init, $"reads its file name from {filename.Where}, which is neither an asset of the graph (asset_file_def) nor a constant");
    }

    private (List<TableVariable> Parts, string? Strategy) Table(List<Ref> path)
    {
        var gathers = path.Where(r => r.Op is "ResourceGather" or "GatherV2" or "Gather").ToList();
        if (gathers.Count == 0) throw new LmevException($"{view.Path}: no gather (ResourceGather, GatherV2) on the path; lmev cannot tell which table the model reads.");
        var restored = RestoredVariables();
        if (gathers.Count == 1 && view.Resolve(view.Input(gathers[0], 1)).Op != "DynamicPartition")
            return ([Variable(gathers[0], restored)], null);
        var partition = gathers.Select(g => view.Resolve(view.Input(g, 1))).ToList();
        var bad = gathers.Zip(partition).FirstOrDefault(x => x.Second.Op != "DynamicPartition" || x.Second.Key != partition[0].Key);
        if (bad.First.Node is not null)
            throw view.Error(bad.First, $"gathers with ids from {bad.Second.Where}; expected each partition's ids from one DynamicPartition, as tf.nn.embedding_lookup builds it");
        var count = (int)Attr(partition[0], "num_partitions").I;
        if (gathers.Count != count || partition.Select(p => p.Output).Distinct().Count() != count)
            throw view.Error(partition[0], $"splits ids into {count} partitions, and {gathers.Count} gathers read them; expected one gather per partition");
        var assignments = view.Resolve(view.Input(partition[0], 1));
        while (assignments.Op == "Cast") assignments = view.Resolve(view.Input(assignments, 0));
        var strategy = assignments.Op switch
        {
            "FloorMod" => NnlmRecipe.Mod,
            "Maximum" => NnlmRecipe.Div,
            _ => throw view.Error(assignments, $"assigns ids to partitions with {assignments.Op}; lmev models tf.nn.embedding_lookup's 'mod' (FloorMod) and 'div' (Maximum) strategies"),
        };
        var parts = gathers.Zip(partition).OrderBy(x => x.Second.Output).Select(x => Variable(x.First, restored)).ToList();
        return (parts, strategy);
    }

    private TableVariable Variable(Ref gather, Dictionary<(int, string), (string Key, string Slice)> restored)
    {
        var variable = view.Resolve(view.Input(gather, 0));
        if (variable.Op == "ReadVariableOp") variable = view.Resolve(view.Input(variable, 0));
        if (view.BoundObject(variable) is { } id) return BoundVariable(gather, variable, id);
        if (variable.Op is not ("VarHandleOp" or "VariableV2" or "Variable"))
            throw view.Error(gather, $"gathers from {variable.Where}; expected a variable (VarHandleOp or VariableV2) restored from the checkpoint");
        if (restored.TryGetValue(variable.Key, out var found)) return new TableVariable(variable.Node.Name, found.Key, found.Slice);
        var shared = variable.Node.Attr.TryGetValue("shared_name", out var s) ? s.S.ToStringUtf8() : "";
        foreach (var name in new[] { variable.Node.Name, shared, $"{variable.Node.Name}/.ATTRIBUTES/VARIABLE_VALUE" })
            if (name.Length > 0 && checkpointKeys.Contains(name)) return new TableVariable(variable.Node.Name, name);
        throw view.Error(variable, "is the table the lookup gathers from, but no restore op (RestoreV2 → Assign) names its checkpoint key and no key has its name");
    }

    /// <summary>A variable captured by a function entered from the object graph: its checkpoint key is its object path's (<see cref="SavedObjects"/>).</summary>
    private TableVariable BoundVariable(Ref gather, Ref argument, int id)
    {
        var objects = view.Objects!;
        if (objects.Node(id).KindCase != SavedObject.KindOneofCase.Variable)
            throw view.Error(gather, $"gathers from {argument.Where}, a captured input bound to {objects.Describe(id)}; expected a variable");
        var key = objects.CheckpointKey(id) ?? throw view.Error(gather, $"gathers from {objects.Describe(id)}, which the object graph's root does not reach; its checkpoint key is unknown");
        return checkpointKeys.Contains(key) ? new TableVariable(objects.ObjectPath(id)!, key)
            : throw view.Error(gather, $"gathers from {argument.Where}, bound to {objects.Describe(id)}, but the checkpoint has no key \"{key}\"");
    }

    /// <summary>Which checkpoint key and slice each variable is restored from: every Assign/AssignVariableOp fed by a RestoreV2 output.</summary>
    private Dictionary<(int, string), (string Key, string Slice)> RestoredVariables()
    {
        var result = new Dictionary<(int, string), (string, string)>();
        foreach (var assign in view.AllNodes().Where(r => r.Op is "Assign" or "AssignVariableOp"))
        {
            var inputs = view.Inputs(assign);
            if (inputs.Count < 2) continue;
            var value = view.Resolve(inputs[1]);
            if (value.Op is not ("RestoreV2" or "Restore" or "RestoreSlice")) continue;
            var names = GraphView.Strings(view.Resolve(view.Input(value, 1)));
            var slices = value.Op == "RestoreV2" ? GraphView.Strings(view.Resolve(view.Input(value, 2))) : null;
            if (names is null || value.Output >= names.Count) continue;
            var target = view.Resolve(inputs[0]);
            result.TryAdd(target.Key, (names[value.Output], slices is not null && value.Output < slices.Count ? slices[value.Output] : ""));
        }
        return result;
    }
}
