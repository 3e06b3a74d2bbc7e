using Google.Protobuf;
using Lmev.Models.TensorFlow;
using Lmev.Models.TensorFlow.Protos;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>
/// What an NNLM-style graph does, for <see cref="NnlmGraphBuilder"/>: the recipe a test writes into a saved_model.pb and
/// then expects lmev (and the TensorFlow.js oracle) to follow.
/// </summary>
/// <param name="Tf2">A TF2 SavedModel (every op inside functions called by StatefulPartitionedCall, as tf.saved_model.save
/// writes export_v2.py's module with signatures=__call__) rather than a TF1 hub module (export.py's flat graph).</param>
/// <param name="Pattern">StaticRegexReplace(pattern, rewrite "") before the split; null: none.</param>
/// <param name="Lower">StringLower (encoding "", ASCII) after the regex.</param>
/// <param name="SplitOp">"StringSplit" (with <paramref name="SkipEmpty"/>) or "StringSplitV2".</param>
/// <param name="Partitions">Variables the table is split into (1: one variable).</param>
/// <param name="Strategy">tf.nn.embedding_lookup's partition_strategy: "mod" or "div".</param>
/// <param name="Combiner">"sqrtn", "mean" or "sum".</param>
/// <param name="ExtraOp">An op inserted between the split and the lookup (e.g. StringNGrams), which lmev must refuse.</param>
/// <param name="Float64">The variable is float64 (export_v2.py's tf.Variable of a numpy array).</param>
/// <param name="Signature">TF2: a serving signature (saved with signatures=__call__); false: signature_def holds only
/// __saved_model_init_op (export_v2.py's plain tf.saved_model.save(module, path), as the TF-Hub nnlm /2 models are), and
/// the path lives only in the object graph's __call__.</param>
public sealed record NnlmGraphSpec(
    bool Tf2 = false, string? Pattern = null, bool Lower = false, string SplitOp = "StringSplit", bool SkipEmpty = true,
    int Partitions = 1, string Strategy = "mod", string Combiner = "sqrtn", string? ExtraOp = null, bool Float64 = false, bool Signature = true)
{
    /// <summary>TF1's export.py, module_fn_with_preprocessing: regex_replace(\pP), string_split, fill with lookup(""), sqrtn.</summary>
    public static NnlmGraphSpec Tf1(bool normalize) => new(Pattern: normalize ? @"\pP" : null);

    /// <summary>TF2's export_v2.py: regex_replace(\pP), tf.strings.split (empty tokens kept), fill_empty_rows(""), sqrtn.</summary>
    public static NnlmGraphSpec Tf2Export(bool normalize) => new(Tf2: true, Pattern: normalize ? @"\pP" : null, SplitOp: "StringSplitV2", SkipEmpty: false);

    /// <summary>The TF1 checkpoint key of the table (a Saver names a variable by its name), or TF2's object-graph key.</summary>
    public string Key => Tf2 ? "embeddings/.ATTRIBUTES/VARIABLE_VALUE" : "embeddings";

    /// <summary>Rows of partition p of a table of <paramref name="rows"/>, as the strategy assigns ids.</summary>
    public long PartRows(long rows, int p) => Strategy == "mod" ? (rows - p + Partitions - 1) / Partitions : rows / Partitions + (p < rows % Partitions ? 1 : 0);

    /// <summary>The id that row <paramref name="local"/> of partition <paramref name="p"/> holds.</summary>
    public long Global(long rows, int p, long local)
    {
        if (Strategy == "mod") return local * Partitions + p;
        long per = rows / Partitions, extras = rows % Partitions;
        return p < extras ? p * (per + 1) + local : extras * (per + 1) + (p - extras) * per + local;
    }
}

/// <summary>
/// Writes the saved_model.pb of an NNLM-style text embedding with the node names, ops and attributes TensorFlow gives
/// the public export scripts' graphs (tensorflow/hub examples/text_embeddings/export.py for TF1 hub modules,
/// examples/text_embeddings_v2/export_v2.py for TF2), with their Saver's restore ops, their asset and their signature.
/// Plumbing that does not change what a title embeds to (the shape bookkeeping of sparse_reset_shape, say) is
/// abridged; every op that does is there, with TensorFlow's op names and attributes (core/ops/*.cc).
/// </summary>
public static partial class NnlmGraphBuilder
{
    private const int DtString = 7, DtInt64 = 9, DtInt32 = 3, DtFloat = 1, DtDouble = 2, DtResource = 20, DtBool = 10;

    /// <summary>The saved_model.pb bytes.</summary>
    /// <param name="rows">Table rows (vocabulary + buckets).</param>
    /// <param name="vocabularySize">The keys of tokens.txt (TF1's index_table_from_file records it as vocab_size).</param>
    public static byte[] SavedModel(NnlmGraphSpec spec, long rows, int dim, long numBuckets, long vocabularySize, string asset = "tokens.txt")
    {
        var meta = spec.Tf2 ? Tf2(spec, rows, dim, numBuckets, asset) : Tf1(spec, rows, dim, numBuckets, vocabularySize, asset);
        var model = new SavedModel { SavedModelSchemaVersion = 1 };
        model.MetaGraphs.Add(meta);
        return model.ToByteArray();
    }

    // ---- TF1: one flat graph, names as tf 1.x gives them under export.py ----

    private static MetaGraphDef Tf1(NnlmGraphSpec spec, long rows, int dim, long numBuckets, long vocabularySize, string asset)
    {
        var g = new List<NodeDef>();
        void Add(NodeDef n) => g.Add(n);
        Add(Node("sentences", "Placeholder", [], ("dtype", Type(DtString)), ("shape", Shape(-1))));
        var text = "sentences";
        if (spec.Pattern is { } pattern)
        {
            Add(Node("StaticRegexReplace", "StaticRegexReplace", [text], ("pattern", Str(pattern)), ("rewrite", Str("")), ("replace_global", Bool(true))));
            text = "StaticRegexReplace";
        }
        if (spec.Lower)
        {
            Add(Node("StringLower", "StringLower", [text], ("encoding", Str(""))));
            text = "StringLower";
        }
        Add(Const("StringSplit/delimiter", " "));
        Add(spec.SplitOp == "StringSplit"
            ? Node("StringSplit", "StringSplit", [text, "StringSplit/delimiter"], ("skip_empty", Bool(spec.SkipEmpty)))
            : Node("StringSplit", "StringSplitV2", [text, "StringSplit/delimiter"], ("maxsplit", Int(-1))));
        var tokens = "StringSplit:1";
        if (spec.ExtraOp is { } extra)
        {
            Add(Node(extra, extra, [tokens, "StringSplit:0"], ("separator", Str(" ")), ("ngram_widths", IntList(2))));
            tokens = extra;
        }

        // tf.contrib.lookup.index_table_from_file(tokens.txt, num_oov_buckets) → IdTableWithHashBuckets(HashTable(TextFileIdTableInitializer)).
        Add(Node("string_to_index/hash_table", "HashTableV2", [], ("key_dtype", Type(DtString)), ("value_dtype", Type(DtInt64)),
            ("shared_name", Str($"hash_table_{asset}_{vocabularySize}_-2_-1"))));
        Add(Const("string_to_index/hash_table/Const", -1L));
        Add(Const("string_to_index/hash_table/table_init/asset_filepath", $"/tmp/export/{asset}"));
        Add(Node("string_to_index/hash_table/table_init", "InitializeTableFromTextFileV2", ["string_to_index/hash_table", "string_to_index/hash_table/table_init/asset_filepath"],
            ("key_index", Int(-2)), ("value_index", Int(-1)), ("vocab_size", Int(vocabularySize)), ("delimiter", Str("\t"))));
        var ids = Tf1Lookup(g, "string_to_index_Lookup", tokens, numBuckets);
        Add(Const("Const", ""));
        var emptyId = Tf1Lookup(g, "string_to_index_Lookup_1", "Const", numBuckets);
        // tf.sparse_fill_empty_rows(sparse_ids, lookup("")).
        Add(Node("SparseFillEmptyRows/SparseFillEmptyRows", "SparseFillEmptyRows", ["StringSplit", ids, "StringSplit:2", emptyId], ("T", Type(DtInt64))));

        // tf.nn.embedding_lookup_sparse(embeddings, sparse_ids, None, combiner): segment ids, unique ids, lookup, SparseSegment*.
        Add(Const("embedding_lookup_sparse/strided_slice/stack", new long[] { 0, 0 }));
        Add(Node("embedding_lookup_sparse/strided_slice", "StridedSlice", ["SparseFillEmptyRows/SparseFillEmptyRows", "embedding_lookup_sparse/strided_slice/stack",
            "embedding_lookup_sparse/strided_slice/stack", "embedding_lookup_sparse/strided_slice/stack"], ("shrink_axis_mask", Int(2))));
        Add(Node("embedding_lookup_sparse/Cast", "Cast", ["embedding_lookup_sparse/strided_slice"], ("SrcT", Type(DtInt64)), ("DstT", Type(DtInt32))));
        Add(Node("embedding_lookup_sparse/Unique", "Unique", ["SparseFillEmptyRows/SparseFillEmptyRows:1"], ("T", Type(DtInt64)), ("out_idx", Type(DtInt32))));
        var variables = new List<string>();
        for (var p = 0; p < spec.Partitions; p++)
        {
            var name = spec.Partitions == 1 ? "embeddings" : $"embeddings/part_{p}";
            var partRows = spec.Partitions == 1 ? rows : spec.PartRows(rows, p);
            Add(Node(name, "VariableV2", [], ("dtype", Type(DtFloat)), ("shape", Shape(partRows, dim)), ("container", Str("")), ("shared_name", Str(""))));
            Add(Node(name + "/read", "Identity", [name], ("T", Type(DtFloat))));
            variables.Add(name);
        }
        var rowsOut = spec.Partitions == 1
            ? Gather(g, "embedding_lookup_sparse/embedding_lookup", "embeddings/read", "embedding_lookup_sparse/Unique")
            : Tf1PartitionedLookup(g, spec, rows, variables);
        Add(Node("embedding_lookup_sparse", SegmentOp(spec.Combiner), [rowsOut, "embedding_lookup_sparse/Unique:1", "embedding_lookup_sparse/Cast"], ("T", Type(DtFloat))));

        // The Saver: save/RestoreV2 names each variable's checkpoint key (one key in slices when partitioned), save/Assign restores it.
        Add(Const("save/Const", "model"));
        var names = variables.Select(_ => spec.Key).ToArray();
        var slices = spec.Partitions == 1 ? [""] : Enumerable.Range(0, spec.Partitions).Select(p =>
        {
            var start = Enumerable.Range(0, p).Sum(q => spec.PartRows(rows, q));
            return $"{rows} {dim} {start},{spec.PartRows(rows, p)}:-";
        }).ToArray();
        Add(Const("save/RestoreV2/tensor_names", names));
        Add(Const("save/RestoreV2/shape_and_slices", slices));
        Add(Node("save/RestoreV2", "RestoreV2", ["save/Const", "save/RestoreV2/tensor_names", "save/RestoreV2/shape_and_slices"], ("dtypes", TypeList(variables.Select(_ => DtFloat)))));
        for (var p = 0; p < variables.Count; p++)
            Add(Node(p == 0 ? "save/Assign" : $"save/Assign_{p}", "Assign", [variables[p], $"save/RestoreV2:{p}"], ("T", Type(DtFloat)), ("validate_shape", Bool(true))));
        Add(Node("save/restore_all", "NoOp", [.. variables.Select((_, p) => p == 0 ? "^save/Assign" : $"^save/Assign_{p}")]));

        var meta = new MetaGraphDef { MetaInfoDef = new MetaGraphDef.Types.MetaInfoDef(), GraphDef = new GraphDef(), SaverDef = new SaverDef { FilenameTensorName = "save/Const:0", RestoreOpName = "save/restore_all" } };
        meta.GraphDef.Node.AddRange(g);
        meta.SignatureDef.Add("default", Signature(("sentences", "sentences:0", DtString), ("default", "embedding_lookup_sparse:0", DtFloat)));
        meta.AssetFileDef.Add(new AssetFileDef { Filename = asset, TensorInfo = new TensorInfo { Name = "string_to_index/hash_table/table_init/asset_filepath:0", Dtype = DtString } });
        return meta;
    }

    /// <summary>IdTableWithHashBuckets.lookup: hash_bucket + table size where the table answers its default, else the table's id.</summary>
    private static string Tf1Lookup(List<NodeDef> g, string scope, string keys, long numBuckets)
    {
        g.Add(Node($"{scope}/hash_bucket", "StringToHashBucketFast", [keys], ("num_buckets", Int(numBuckets))));
        g.Add(Node($"{scope}/hash_table_Lookup/LookupTableFindV2", "LookupTableFindV2", ["string_to_index/hash_table", keys, "string_to_index/hash_table/Const"],
            ("Tin", Type(DtString)), ("Tout", Type(DtInt64))));
        g.Add(Node($"{scope}/hash_table_Size/LookupTableSizeV2", "LookupTableSizeV2", ["string_to_index/hash_table"]));
        g.Add(Node($"{scope}/Add", "Add", [$"{scope}/hash_bucket", $"{scope}/hash_table_Size/LookupTableSizeV2"], ("T", Type(DtInt64))));
        g.Add(Node($"{scope}/NotEqual", "NotEqual", [$"{scope}/hash_table_Lookup/LookupTableFindV2", "string_to_index/hash_table/Const"], ("T", Type(DtInt64))));
        g.Add(Node(scope, "Select", [$"{scope}/NotEqual", $"{scope}/hash_table_Lookup/LookupTableFindV2", $"{scope}/Add"], ("T", Type(DtInt64))));
        return scope;
    }

    private static string Gather(List<NodeDef> g, string name, string parameters, string ids)
    {
        g.Add(Const(name + "/axis", 0));
        g.Add(Node(name, "GatherV2", [parameters, ids, name + "/axis"], ("Tparams", Type(DtFloat)), ("Tindices", Type(DtInt64)), ("Taxis", Type(DtInt32))));
        return name;
    }

    /// <summary>embedding_ops._embedding_lookup_and_transform over several params: assignments, new ids, DynamicPartition, gathers, ParallelDynamicStitch.</summary>
    private static string Tf1PartitionedLookup(List<NodeDef> g, NnlmGraphSpec spec, long rows, List<string> variables)
    {
        const string s = "embedding_lookup_sparse/embedding_lookup";
        const string ids = "embedding_lookup_sparse/Unique";
        g.Add(Const($"{s}/Const", (long)spec.Partitions));
        string assignments, newIds;
        if (spec.Strategy == "mod")
        {
            g.Add(Node($"{s}/FloorMod", "FloorMod", [ids, $"{s}/Const"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/FloorDiv", "FloorDiv", [ids, $"{s}/Const"], ("T", Type(DtInt64))));
            (assignments, newIds) = ($"{s}/FloorMod", $"{s}/FloorDiv");
        }
        else
        {
            g.Add(Const($"{s}/num_total_ids", rows));
            g.Add(Node($"{s}/ids_per_partition", "FloorDiv", [$"{s}/num_total_ids", $"{s}/Const"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/extras", "FloorMod", [$"{s}/num_total_ids", $"{s}/Const"], ("T", Type(DtInt64))));
            g.Add(Const($"{s}/add/y", 1L));
            g.Add(Node($"{s}/add", "AddV2", [$"{s}/ids_per_partition", $"{s}/add/y"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/floordiv", "FloorDiv", [ids, $"{s}/add"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/sub", "Sub", [ids, $"{s}/extras"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/floordiv_1", "FloorDiv", [$"{s}/sub", $"{s}/ids_per_partition"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/Maximum", "Maximum", [$"{s}/floordiv", $"{s}/floordiv_1"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/Less", "Less", [$"{s}/Maximum", $"{s}/extras"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/Cast", "Cast", [$"{s}/Less"], ("SrcT", Type(DtBool)), ("DstT", Type(DtInt64))));
            g.Add(Node($"{s}/FloorMod", "FloorMod", [ids, $"{s}/add"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/mul", "Mul", [$"{s}/Cast", $"{s}/FloorMod"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/sub_1", "Sub", [$"{s}/add/y", $"{s}/Cast"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/sub_2", "Sub", [ids, $"{s}/extras"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/FloorMod_1", "FloorMod", [$"{s}/sub_2", $"{s}/ids_per_partition"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/mul_1", "Mul", [$"{s}/sub_1", $"{s}/FloorMod_1"], ("T", Type(DtInt64))));
            g.Add(Node($"{s}/add_1", "AddV2", [$"{s}/mul", $"{s}/mul_1"], ("T", Type(DtInt64))));
            (assignments, newIds) = ($"{s}/Maximum", $"{s}/add_1");
        }
        g.Add(Node($"{s}/Cast_1", "Cast", [assignments], ("SrcT", Type(DtInt64)), ("DstT", Type(DtInt32))));
        g.Add(Node($"{s}/DynamicPartition", "DynamicPartition", [newIds, $"{s}/Cast_1"], ("num_partitions", Int(spec.Partitions)), ("T", Type(DtInt64))));
        g.Add(Node($"{s}/Size", "Size", [ids], ("T", Type(DtInt64))));
        g.Add(Const($"{s}/range/start", 0));
        g.Add(Const($"{s}/range/delta", 1));
        g.Add(Node($"{s}/range", "Range", [$"{s}/range/start", $"{s}/Size", $"{s}/range/delta"], ("Tidx", Type(DtInt32))));
        g.Add(Node($"{s}/DynamicPartition_1", "DynamicPartition", [$"{s}/range", $"{s}/Cast_1"], ("num_partitions", Int(spec.Partitions)), ("T", Type(DtInt32))));
        var gathered = new List<string>();
        for (var p = 0; p < spec.Partitions; p++)
            gathered.Add(Gather(g, p == 0 ? $"{s}/GatherV2" : $"{s}/GatherV2_{p}", variables[p] + "/read", $"{s}/DynamicPartition:{p}"));
        g.Add(Node($"{s}/ParallelDynamicStitch", "ParallelDynamicStitch",
            [.. Enumerable.Range(0, spec.Partitions).Select(p => $"{s}/DynamicPartition_1:{p}"), .. gathered], ("N", Int(spec.Partitions)), ("T", Type(DtFloat))));
        return $"{s}/ParallelDynamicStitch";
    }

    private static string SegmentOp(string combiner) => combiner switch
    {
        "mean" => "SparseSegmentMean",
        "sum" => "SparseSegmentSum",
        _ => "SparseSegmentSqrtN",
    };

    // ---- TF2: tf.saved_model.save(module, path[, signatures=module.__call__]) of export_v2.py's TextEmbeddingModel ----

    private static MetaGraphDef Tf2(NnlmGraphSpec spec, long rows, int dim, long numBuckets, string asset)
    {
        if (spec.Partitions != 1) throw new NotSupportedException("the TF2 test graph has one variable");
        var valueType = spec.Float64 ? DtDouble : DtFloat;
        var meta = new MetaGraphDef { MetaInfoDef = new MetaGraphDef.Types.MetaInfoDef { Tags = { "serve" } }, GraphDef = new GraphDef { Library = new FunctionDefLibrary() } };
        var main = meta.GraphDef.Node;
        main.Add(Node("Variable", "VarHandleOp", [], ("dtype", Type(valueType)), ("shape", Shape(rows, dim)), ("shared_name", Str("Variable"))));
        main.Add(Node("hash_table", "HashTableV2", [], ("key_dtype", Type(DtString)), ("value_dtype", Type(DtInt64)),
            ("shared_name", Str($"hash_table_{asset}_-2_-1_load_1_1"))));
        main.Add(Const("asset_path_initializer", asset));
        if (spec.Signature)
        {
            main.Add(Node("serving_default_sentences", "Placeholder", [], ("dtype", Type(DtString)), ("shape", Shape(-1))));
            main.Add(Call("StatefulPartitionedCall", ["serving_default_sentences", "hash_table", "Variable"], "__inference_signature_wrapper_1085", [DtString, DtResource, DtResource], [valueType]));
        }
        main.Add(Call("StatefulPartitionedCall_1", ["hash_table", "asset_path_initializer"], "__inference__initializer_1043", [DtResource, DtString], []));
        main.Add(Node("NoOp", "NoOp", ["^StatefulPartitionedCall_1"]));
        main.Add(Node("saver_filename", "Placeholder", [], ("dtype", Type(DtString))));
        main.Add(Call("StatefulPartitionedCall_2", ["saver_filename", "Variable"], "__inference__traced_restore_1167", [DtString, DtResource], [DtString]));

        var library = meta.GraphDef.Library.Function;
        if (spec.Signature)
            library.Add(Function("__inference_signature_wrapper_1085", ["sentences", "unknown", "unknown_0"], [DtString, DtResource, DtResource], [("identity", valueType)],
                [Call("StatefulPartitionedCall", ["sentences", "unknown", "unknown_0"], "__inference___call___1070", [DtString, DtResource, DtResource], [valueType]),
                 Node("Identity", "Identity", ["StatefulPartitionedCall:output:0", "^StatefulPartitionedCall"], ("T", Type(valueType)))],
                ("identity", "Identity:output:0")));

        // __call__: _tokenize, then tf.nn.safe_embedding_lookup_sparse(embeddings, ids, None, combiner).
        var call = new List<NodeDef>
        {
            Call("StatefulPartitionedCall", ["sentences", "statefulpartitionedcall_args_1"], "__inference__tokenize_1049", [DtString, DtResource], [DtInt64, DtInt64, DtInt64]),
            Const("embedding_lookup_sparse/strided_slice/stack", new long[] { 0, 0 }),
            Node("embedding_lookup_sparse/strided_slice", "StridedSlice", ["StatefulPartitionedCall:output:0", "embedding_lookup_sparse/strided_slice/stack:output:0",
                "embedding_lookup_sparse/strided_slice/stack:output:0", "embedding_lookup_sparse/strided_slice/stack:output:0"], ("shrink_axis_mask", Int(2))),
            Node("embedding_lookup_sparse/Cast", "Cast", ["embedding_lookup_sparse/strided_slice:output:0"], ("SrcT", Type(DtInt64)), ("DstT", Type(DtInt32))),
            Node("embedding_lookup_sparse/Unique", "Unique", ["StatefulPartitionedCall:output:1"], ("T", Type(DtInt64)), ("out_idx", Type(DtInt32))),
            Node("embedding_lookup_sparse/embedding_lookup", "ResourceGather", ["embedding_lookup_sparse_embedding_lookup_resource", "embedding_lookup_sparse/Unique:y:0"],
                ("dtype", Type(valueType)), ("Tindices", Type(DtInt64))),
            Node("embedding_lookup_sparse/embedding_lookup/Identity", "Identity", ["embedding_lookup_sparse/embedding_lookup:output:0"], ("T", Type(valueType))),
            Node("embedding_lookup_sparse", SegmentOp(spec.Combiner), ["embedding_lookup_sparse/embedding_lookup/Identity:output:0", "embedding_lookup_sparse/Unique:idx:0",
                "embedding_lookup_sparse/Cast:y:0"], ("T", Type(valueType))),
            Node("Identity", "Identity", ["embedding_lookup_sparse:output:0"], ("T", Type(valueType))),
        };
        library.Add(WithInputShapes(Function("__inference___call___1070", ["sentences", "statefulpartitionedcall_args_1", "embedding_lookup_sparse_embedding_lookup_resource"],
            [DtString, DtResource, DtResource], [("identity", valueType)], call, ("identity", "Identity:output:0"))));

        // _tokenize: regex_replace, reshape, tf.strings.split(...).to_sparse(), fill_empty_rows(""), the StaticVocabularyTable lookup.
        var tokenize = new List<NodeDef>();
        var text = "sentences";
        if (spec.Pattern is { } pattern)
        {
            tokenize.Add(Node("StaticRegexReplace", "StaticRegexReplace", [text], ("pattern", Str(pattern)), ("rewrite", Str("")), ("replace_global", Bool(true))));
            text = "StaticRegexReplace:output:0";
        }
        tokenize.Add(Const("Reshape/shape", new long[] { -1 }));
        tokenize.Add(Node("Reshape", "Reshape", [text, "Reshape/shape:output:0"], ("T", Type(DtString))));
        text = "Reshape:output:0";
        if (spec.Lower)
        {
            tokenize.Add(Node("StringLower", "StringLower", [text], ("encoding", Str(""))));
            text = "StringLower:output:0";
        }
        tokenize.Add(Const("StringSplit/Const", " "));
        tokenize.Add(spec.SplitOp == "StringSplitV2"
            ? Node("StringSplit/StringSplitV2", "StringSplitV2", [text, "StringSplit/Const:output:0"], ("maxsplit", Int(-1)))
            : Node("StringSplit/StringSplitV2", "StringSplit", [text, "StringSplit/Const:output:0"], ("skip_empty", Bool(spec.SkipEmpty))));
        tokenize.Add(Node("StringSplit/RaggedFromValueRowIds/Cumsum", "Cumsum", ["StringSplit/StringSplitV2:indices:0", "Reshape/shape:output:0"], ("T", Type(DtInt64))));
        tokenize.Add(Node("RaggedToSparse/RaggedTensorToSparse", "RaggedTensorToSparse", ["StringSplit/RaggedFromValueRowIds/Cumsum:out:0", "StringSplit/StringSplitV2:values:0"],
            ("RAGGED_RANK", Int(1)), ("T", Type(DtString))));
        var values = "RaggedToSparse/RaggedTensorToSparse:sparse_values:0";
        if (spec.ExtraOp is { } extra)
        {
            tokenize.Add(Node(extra, extra, [values, "StringSplit/StringSplitV2:indices:0"], ("separator", Str(" ")), ("ngram_widths", IntList(2))));
            values = $"{extra}:ngrams:0";
        }
        tokenize.Add(Const("Const", ""));
        tokenize.Add(Node("SparseFillEmptyRows/SparseFillEmptyRows", "SparseFillEmptyRows", ["RaggedToSparse/RaggedTensorToSparse:sparse_indices:0", values,
            "RaggedToSparse/RaggedTensorToSparse:sparse_dense_shape:0", "Const:output:0"], ("T", Type(DtString))));
        const string keys = "SparseFillEmptyRows/SparseFillEmptyRows:output_values:0";
        tokenize.Add(Node("None_Lookup/hash_bucket", "StringToHashBucketFast", [keys], ("num_buckets", Int(numBuckets))));
        tokenize.Add(Const("None_Lookup/LookupTableFindV2/default", -1L));
        tokenize.Add(Node("None_Lookup/LookupTableFindV2", "LookupTableFindV2", ["none_lookup_lookuptablefindv2_table_handle", keys, "None_Lookup/LookupTableFindV2/default:output:0"],
            ("Tin", Type(DtString)), ("Tout", Type(DtInt64))));
        tokenize.Add(Node("None_Lookup/LookupTableSizeV2", "LookupTableSizeV2", ["none_lookup_lookuptablefindv2_table_handle"]));
        tokenize.Add(Node("None_Lookup/Add", "AddV2", ["None_Lookup/hash_bucket:output:0", "None_Lookup/LookupTableSizeV2:size:0"], ("T", Type(DtInt64))));
        tokenize.Add(Node("None_Lookup/NotEqual", "NotEqual", ["None_Lookup/LookupTableFindV2:values:0", "None_Lookup/LookupTableFindV2/default:output:0"], ("T", Type(DtInt64))));
        tokenize.Add(Node("None_Lookup/SelectV2", "SelectV2", ["None_Lookup/NotEqual:z:0", "None_Lookup/LookupTableFindV2:values:0", "None_Lookup/Add:z:0"], ("T", Type(DtInt64))));
        library.Add(WithInputShapes(Function("__inference__tokenize_1049", ["sentences", "none_lookup_lookuptablefindv2_table_handle"], [DtString, DtResource],
            [("identity", DtInt64), ("identity_1", DtInt64), ("identity_2", DtInt64)], tokenize,
            ("identity", "SparseFillEmptyRows/SparseFillEmptyRows:output_indices:0"), ("identity_1", "None_Lookup/SelectV2:output:0"),
            ("identity_2", "RaggedToSparse/RaggedTensorToSparse:sparse_dense_shape:0"))));

        library.Add(Function("__inference__initializer_1043", ["text_file_init_initializetablefromtextfilev2_table_handle", "text_file_init_asset_filepath"],
            [DtResource, DtString], [],
            [Node("text_file_init/InitializeTableFromTextFileV2", "InitializeTableFromTextFileV2",
                ["text_file_init_initializetablefromtextfilev2_table_handle", "text_file_init_asset_filepath"],
                ("key_index", Int(-2)), ("value_index", Int(-1)), ("vocab_size", Int(-1)), ("delimiter", Str("\t")), ("offset", Int(0)))]));

        library.Add(Function("__inference__traced_restore_1167", ["file_prefix", "assignvariableop_variable"], [DtString, DtResource], [("identity_1", DtString)],
            [Const("RestoreV2/tensor_names", new[] { spec.Key, "_CHECKPOINTABLE_OBJECT_GRAPH" }),
             Const("RestoreV2/shape_and_slices", new[] { "", "" }),
             Node("RestoreV2", "RestoreV2", ["file_prefix", "RestoreV2/tensor_names:output:0", "RestoreV2/shape_and_slices:output:0"], ("dtypes", TypeList([valueType, DtString]))),
             Node("Identity", "Identity", ["RestoreV2:tensors:0"], ("T", Type(valueType))),
             Node("AssignVariableOp", "AssignVariableOp", ["assignvariableop_variable", "Identity:output:0"], ("dtype", Type(valueType))),
             Node("Identity_1", "Identity", ["file_prefix", "^AssignVariableOp"], ("T", Type(DtString)))],
            ("identity_1", "Identity_1:output:0")));

        if (spec.Signature)
            meta.SignatureDef.Add("serving_default", Signature(("sentences", "serving_default_sentences:0", DtString), ("output_0", "StatefulPartitionedCall:0", valueType)));
        meta.SignatureDef.Add("__saved_model_init_op", new SignatureDef { Outputs = { ["__saved_model_init_op"] = new TensorInfo { Name = "NoOp" } } });
        meta.AssetFileDef.Add(new AssetFileDef { Filename = asset, TensorInfo = new TensorInfo { Name = "asset_path_initializer:0", Dtype = DtString } });
        AddObjectGraph(meta, spec, rows, dim, valueType);
        return meta;
    }

    // ---- protobuf helpers ----

    private static NodeDef Node(string name, string op, string[] inputs, params (string Key, AttrValue Value)[] attrs)
    {
        var n = new NodeDef { Name = name, Op = op };
        n.Input.AddRange(inputs);
        foreach (var (k, v) in attrs) n.Attr[k] = v;
        return n;
    }

    private static NodeDef Call(string name, string[] inputs, string function, int[] tin, int[] tout) =>
        Node(name, "StatefulPartitionedCall", inputs, ("f", new AttrValue { Func = new NameAttrList { Name = function } }),
            ("Tin", TypeList(tin)), ("Tout", TypeList(tout)), ("config_proto", Str("")), ("executor_type", Str("")));

    private static FunctionDef Function(string name, string[] args, int[] types, (string Name, int Type)[] outputs, IEnumerable<NodeDef> body, params (string Output, string From)[] ret)
    {
        var f = new FunctionDef { Signature = new OpDef { Name = name } };
        for (var i = 0; i < args.Length; i++) f.Signature.InputArg.Add(new OpDef.Types.ArgDef { Name = args[i], Type = types[i] });
        foreach (var (o, t) in outputs) f.Signature.OutputArg.Add(new OpDef.Types.ArgDef { Name = o, Type = t });
        f.NodeDef.AddRange(body);
        foreach (var (o, from) in ret) f.Ret[o] = from;
        return f;
    }

    private static SignatureDef Signature((string Key, string Name, int Type) input, (string Key, string Name, int Type) output) => new()
    {
        Inputs = { [input.Key] = new TensorInfo { Name = input.Name, Dtype = input.Type, TensorShape = ShapeProto(-1) } },
        Outputs = { [output.Key] = new TensorInfo { Name = output.Name, Dtype = output.Type, TensorShape = ShapeProto(-1, -1) } },
        MethodName = "tensorflow/serving/predict",
    };

    private static NodeDef Const(string name, params string[] values)
    {
        var t = new TensorProto { Dtype = DtString, TensorShape = values.Length == 1 ? new TensorShapeProto() : ShapeProto(values.Length) };
        t.StringVal.AddRange(values.Select(ByteString.CopyFromUtf8));
        return Node(name, "Const", [], ("dtype", Type(DtString)), ("value", new AttrValue { Tensor = t }));
    }

    private static NodeDef Const(string name, long value) => Const(name, [value], scalar: true);

    private static NodeDef Const(string name, int value)
    {
        var t = new TensorProto { Dtype = DtInt32, TensorShape = new TensorShapeProto() };
        t.IntVal.Add(value);
        return Node(name, "Const", [], ("dtype", Type(DtInt32)), ("value", new AttrValue { Tensor = t }));
    }

    private static NodeDef Const(string name, long[] values, bool scalar = false)
    {
        var t = new TensorProto { Dtype = DtInt64, TensorShape = scalar ? new TensorShapeProto() : ShapeProto(values.Length) };
        t.Int64Val.AddRange(values);
        return Node(name, "Const", [], ("dtype", Type(DtInt64)), ("value", new AttrValue { Tensor = t }));
    }

    private static AttrValue Str(string s) => new() { S = ByteString.CopyFromUtf8(s) };
    private static AttrValue Int(long i) => new() { I = i };
    private static AttrValue Bool(bool b) => new() { B = b };
    private static AttrValue Type(int t) => new() { Type = t };
    private static AttrValue Shape(params long[] dims) => new() { Shape = ShapeProto(dims) };

    private static AttrValue TypeList(IEnumerable<int> types)
    {
        var list = new AttrValue.Types.ListValue();
        list.Type.AddRange(types);
        return new AttrValue { List = list };
    }

    private static AttrValue IntList(params long[] values)
    {
        var list = new AttrValue.Types.ListValue();
        list.I.AddRange(values);
        return new AttrValue { List = list };
    }

    private static TensorShapeProto ShapeProto(params long[] dims)
    {
        var s = new TensorShapeProto();
        foreach (var d in dims) s.Dim.Add(new TensorShapeProto.Types.Dim { Size = d });
        return s;
    }
}
