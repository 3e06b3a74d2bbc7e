using Lmev.Models.TensorFlow.Protos;

namespace Lmev.Tests.Models.TensorFlow;

public static partial class NnlmGraphBuilder
{
    /// <summary>
    /// The object graph tf.saved_model.save writes for export_v2.py's TextEmbeddingModel (a tf.train.Checkpoint): the root's
    /// children in the order the module assigns them (_table_initializer, _table, embeddings, variables,
    /// trainable_variables) and its tf.functions (_tokenize, __call__); the StaticVocabularyTable resource holding a
    /// StaticHashTable resource, each with _create_resource / _initialize / _destroy_resource functions (TrackableResource's
    /// for a SavedModel; the outer table's delegate to the inner one's, so both fill the same table from the asset); the
    /// variable, whose checkpoint key is its first path, "embeddings". Each concrete function's bound_inputs name the
    /// objects its captured arguments (its last ones) stand for: the table handle both tables return is the inner one's.
    /// </summary>
    private static void AddObjectGraph(MetaGraphDef meta, NnlmGraphSpec spec, long rows, int dim, int valueType)
    {
        const int Initializer = 1, VocabularyTable = 2, Embeddings = 3, Variables = 4, Trainable = 5, Tokenize = 6, CallFn = 7,
            Asset = 8, HashTable = 9, Create = 10, Initialize = 11, Destroy = 12, OuterCreate = 13, OuterInitialize = 14, OuterDestroy = 15,
            Signatures = 16, ServingDefault = 17;
        var graph = new SavedObjectGraph();
        SavedObject User(string identifier, params (string Name, int Id)[] children)
        {
            var o = new SavedObject { UserObject = new SavedUserObject { Identifier = identifier } };
            foreach (var (name, id) in children) o.Children.Add(new ObjectReference { NodeId = id, LocalName = name });
            return o;
        }
        SavedObject Fn(params string[] concrete)
        {
            var f = new SavedFunction();
            f.ConcreteFunctions.AddRange(concrete);
            return new SavedObject { Function = f };
        }
        var root = User("_generic_user_object", ("_table_initializer", Initializer), ("_table", VocabularyTable), ("embeddings", Embeddings),
            ("variables", Variables), ("trainable_variables", Trainable), ("_tokenize", Tokenize), ("__call__", CallFn));
        if (spec.Signature) root.Children.Add(new ObjectReference { NodeId = Signatures, LocalName = "signatures" });
        graph.Nodes.Add(root);
        graph.Nodes.Add(User("trackable_text_file_initializer", ("_filename", Asset)));
        var vocabularyTable = new SavedObject { Resource = new SavedResource() };
        vocabularyTable.Children.Add(new ObjectReference { NodeId = Initializer, LocalName = "_initializer" });
        vocabularyTable.Children.Add(new ObjectReference { NodeId = HashTable, LocalName = "_table" });
        foreach (var (name, id) in new[] { ("_create_resource", OuterCreate), ("_initialize", OuterInitialize), ("_destroy_resource", OuterDestroy) })
            vocabularyTable.Children.Add(new ObjectReference { NodeId = id, LocalName = name });
        graph.Nodes.Add(vocabularyTable);
        graph.Nodes.Add(new SavedObject { Variable = new SavedVariable { Dtype = valueType, Shape = ShapeProto(rows, dim), Trainable = true, Name = "Variable" } });
        graph.Nodes.Add(User("trackable_list_wrapper", ("0", Embeddings)));
        graph.Nodes.Add(User("trackable_list_wrapper", ("0", Embeddings)));
        graph.Nodes.Add(Fn("__inference__tokenize_1049"));
        graph.Nodes.Add(Fn("__inference___call___1070"));
        graph.Nodes.Add(new SavedObject { Asset = new SavedAsset { AssetFileDefIndex = 0 } });
        var hashTable = new SavedObject { Resource = new SavedResource() };
        foreach (var (name, id) in new[] { ("_initializer", Initializer), ("_create_resource", Create), ("_initialize", Initialize), ("_destroy_resource", Destroy) })
            hashTable.Children.Add(new ObjectReference { NodeId = id, LocalName = name });
        graph.Nodes.Add(hashTable);
        graph.Nodes.Add(Fn("__inference__creator_1040"));
        graph.Nodes.Add(Fn("__inference__initializer_1043"));
        graph.Nodes.Add(Fn("__inference__destroyer_1046"));
        graph.Nodes.Add(Fn("__inference__creator_1030"));
        graph.Nodes.Add(Fn("__inference__initializer_1033"));
        graph.Nodes.Add(Fn("__inference__destroyer_1036"));
        if (spec.Signature)
        {
            graph.Nodes.Add(User("signature_map", ("serving_default", ServingDefault)));
            graph.Nodes.Add(Fn("__inference_signature_wrapper_1085"));
        }

        void Bind(string function, params int[] objects)
        {
            var c = new SavedConcreteFunction();
            c.BoundInputs.AddRange(objects);
            graph.ConcreteFunctions[function] = c;
        }
        Bind("__inference__tokenize_1049", HashTable);
        Bind("__inference___call___1070", HashTable, Embeddings);
        Bind("__inference__creator_1040");
        Bind("__inference__initializer_1043", HashTable, Asset);
        Bind("__inference__destroyer_1046");
        Bind("__inference__creator_1030");
        Bind("__inference__initializer_1033", HashTable, Asset);
        Bind("__inference__destroyer_1036");
        if (spec.Signature) Bind("__inference_signature_wrapper_1085", HashTable, Embeddings);
        meta.ObjectGraphDef = graph;

        // The resources' own functions: create the table (HashTableV2), fill it (the outer table's _initialize delegates to
        // the inner's: the same InitializeTableFromTextFileV2 on the same handle), destroy it (nothing to do here).
        var library = meta.GraphDef.Library.Function;
        foreach (var (creator, destroyer) in new[] { ("__inference__creator_1040", "__inference__destroyer_1046"), ("__inference__creator_1030", "__inference__destroyer_1036") })
        {
            library.Add(Function(creator, [], [], [("identity", DtResource)],
                [Node("hash_table", "HashTableV2", [], ("key_dtype", Type(DtString)), ("value_dtype", Type(DtInt64)), ("shared_name", Str("hash_table_tokens.txt_-2_-1_load_1_1"))),
                 Node("Identity", "Identity", ["hash_table:table_handle:0"], ("T", Type(DtResource)))],
                ("identity", "Identity:output:0")));
            library.Add(Function(destroyer, [], [], [("identity", DtInt32)],
                [Const("Const", 1), Node("Identity", "Identity", ["Const:output:0"], ("T", Type(DtInt32)))],
                ("identity", "Identity:output:0")));
        }
        var inner = library.Single(f => f.Signature.Name == "__inference__initializer_1043");
        var outer = inner.Clone();
        outer.Signature.Name = "__inference__initializer_1033";
        library.Add(outer);
    }

    /// <summary>The "_input_shapes" TF2 records on a traced function: [None] for the titles, unknown for each captured resource.</summary>
    private static FunctionDef WithInputShapes(FunctionDef f)
    {
        var shapes = new AttrValue.Types.ListValue();
        shapes.Shape.Add(ShapeProto(-1));
        for (var i = 1; i < f.Signature.InputArg.Count; i++) shapes.Shape.Add(new TensorShapeProto { UnknownRank = true });
        f.Attr["_input_shapes"] = new AttrValue { List = shapes };
        return f;
    }
}
