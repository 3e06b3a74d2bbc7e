using Lmev.Models.TensorFlow.Protos;

namespace Lmev.Tests.Models.TensorFlow;

public static partial class NnlmGraphBuilder
{
    /// <summary>
    /// The object graph tf.saved_model.save writes for export_v2.py's TextEmbeddingModel (a tf.train.Checkpoint): the root's
    /// children in the order the module assigns them (_table_initializer, _table, embeddings, variables,
    /// trainable_variables) and its tf.functions (_tokenize, __call__); the StaticVocabularyTable resource holding a
    /// StaticHashTable resource, whose _create_resource / _initialize / _destroy_resource functions recreate and fill it
    /// from the asset; the variable, whose checkpoint key is its first path, "embeddings". Each concrete function's
    /// bound_inputs name the objects its captured arguments (its last ones) stand for.
    /// </summary>
    private static void AddObjectGraph(MetaGraphDef meta, NnlmGraphSpec spec, long rows, int dim, int valueType)
    {
        const int Initializer = 1, VocabularyTable = 2, Embeddings = 3, Variables = 4, Trainable = 5, Tokenize = 6, CallFn = 7,
            Asset = 8, HashTable = 9, Create = 10, Initialize = 11, Destroy = 12, Signatures = 13, ServingDefault = 14;
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
        if (spec.Signature) Bind("__inference_signature_wrapper_1085", HashTable, Embeddings);
        meta.ObjectGraphDef = graph;

        // The resource's own functions: create the table (HashTableV2), destroy it (nothing to do here).
        var library = meta.GraphDef.Library.Function;
        library.Add(Function("__inference__creator_1040", [], [], [("identity", DtResource)],
            [Node("hash_table", "HashTableV2", [], ("key_dtype", Type(DtString)), ("value_dtype", Type(DtInt64)), ("shared_name", Str("hash_table_tokens.txt_-2_-1_load_1_1"))),
             Node("Identity", "Identity", ["hash_table:table_handle:0"], ("T", Type(DtResource)))],
            ("identity", "Identity:output:0")));
        library.Add(Function("__inference__destroyer_1046", [], [], [("identity", DtInt32)],
            [Const("Const", 1), Node("Identity", "Identity", ["Const:output:0"], ("T", Type(DtInt32)))],
            ("identity", "Identity:output:0")));
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
