using Lmev.Models.TensorFlow;
using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>
/// A TF2 SavedModel without a serving signature (as the TF-Hub nnlm /2 models are: signature_def holds only
/// __saved_model_init_op): lmev reads the recipe from the object graph's __call__, through its concrete function and
/// the functions it calls, with the captured table and variable bound to objects; and the object graph of a real
/// TensorFlow-written SavedModel parses, with its functions and the checkpoint keys of their bound variables.
/// </summary>
public sealed class SavedObjectGraphTests(ITestOutputHelper output)
{
    private static readonly string[] Tokens = ["de", "zapatillas", "niño", "", "canción", "Nike", "rojo", "12", "para", "mesa"];

    public static TheoryData<string> Specs => new(SpecCases.Keys);

    private static readonly Dictionary<string, NnlmGraphSpec> SpecCases = new()
    {
        ["export_v2-pP"] = NnlmGraphSpec.Tf2Export(normalize: true),
        ["export_v2-float64"] = NnlmGraphSpec.Tf2Export(normalize: false) with { Float64 = true },
        ["StringLower-mean"] = NnlmGraphSpec.Tf2Export(normalize: false) with { Lower = true, Combiner = "mean" },
        ["StringSplit-skip-empty-sum"] = NnlmGraphSpec.Tf2Export(normalize: true) with { SplitOp = "StringSplit", SkipEmpty = true, Combiner = "sum" },
    };

    private static NnlmRecipe ReadRecipe(string folder)
    {
        var layout = HubModelLayout.Of(folder);
        using var reader = TensorBundleReader.Open(layout.VariablesPrefix);
        return NnlmGraphReader.Read(layout.SavedModelPath, layout.IsHubModule, reader.Tensors.Select(t => t.Key).ToHashSet(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void The_object_graph_route_reads_the_recipe_the_signature_route_reads_for_the_same_graph(string name)
    {
        var spec = SpecCases[name];
        using var dir = new TempDir();
        var withSignature = NnlmTestModel.Write(Path.Combine(dir.Path, "signature"), tokens: Tokens, graph: spec, float64: spec.Float64);
        var withoutSignature = NnlmTestModel.Write(Path.Combine(dir.Path, "object-graph"), tokens: Tokens, graph: spec with { Signature = false }, float64: spec.Float64);
        var bySignature = ReadRecipe(withSignature.Directory);
        var byObjectGraph = ReadRecipe(withoutSignature.Directory);
        output.WriteLine($"signature route:    {bySignature.Source}");
        output.WriteLine($"object graph route: {byObjectGraph.Source}");

        Assert.Equal(NnlmRecipe.SignatureRoute, bySignature.Route);
        Assert.Equal(NnlmRecipe.ObjectGraphRoute, byObjectGraph.Route);
        Assert.True(byObjectGraph.FromGraph);
        Assert.StartsWith("object graph of saved_model.pb (no serving signature): __call__ → concrete function '__inference___call___1070', input 'sentences'", byObjectGraph.Source);
        Assert.Contains("variable 'embeddings'", byObjectGraph.Source);
        Assert.Contains("resource '_table/_table'", byObjectGraph.Source);

        Assert.Equal(bySignature.Tokenizer.Describe(), byObjectGraph.Tokenizer.Describe());
        Assert.Equal(bySignature.Tokenizer.KeepEmptyTokens, byObjectGraph.Tokenizer.KeepEmptyTokens);
        Assert.Equal(bySignature.Tokenizer.FillEmptyRows, byObjectGraph.Tokenizer.FillEmptyRows);
        Assert.Equal(bySignature.Tokenizer.FillToken, byObjectGraph.Tokenizer.FillToken);
        Assert.Equal(bySignature.Tokenizer.Split, byObjectGraph.Tokenizer.Split);
        Assert.Equal(bySignature.Tokenizer.Rewrites, byObjectGraph.Tokenizer.Rewrites);
        Assert.Equal(bySignature.Vocabulary, byObjectGraph.Vocabulary);
        Assert.Equal("tokens.txt", byObjectGraph.Vocabulary.Asset);
        Assert.Equal(bySignature.NumOovBuckets, byObjectGraph.NumOovBuckets);
        Assert.Equal(bySignature.Strategy, byObjectGraph.Strategy);
        Assert.Equal(bySignature.Combiner, byObjectGraph.Combiner);
        Assert.Equal(bySignature.CombinerNode, byObjectGraph.CombinerNode);
        // The same checkpoint key; the variable is named by its graph node on one route ("Variable") and its object path on the other.
        Assert.Equal(bySignature.Parts.Select(p => (p.Key, p.Slice)), byObjectGraph.Parts.Select(p => (p.Key, p.Slice)));
        Assert.Equal("embeddings/.ATTRIBUTES/VARIABLE_VALUE", Assert.Single(byObjectGraph.Parts).Key);
        Assert.Equal("embeddings", byObjectGraph.Parts[0].Node);
        Assert.Equal("Variable", bySignature.Parts[0].Node);
    }

    [Fact]
    public void A_bound_variable_whose_checkpoint_key_is_missing_is_refused_naming_the_object_and_the_key()
    {
        using var dir = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(dir.Path, "model"), graph: NnlmGraphSpec.Tf2Export(normalize: false) with { Signature = false });
        var error = Assert.Throws<LmevException>(() => NnlmGraphReader.Read(Path.Combine(built.Directory, "saved_model.pb"), false, new HashSet<string> { "module/embeddings" }));
        output.WriteLine(error.Message);
        Assert.Contains("variable 'embeddings'", error.Message);
        Assert.Contains("the checkpoint has no key \"embeddings/.ATTRIBUTES/VARIABLE_VALUE\"", error.Message);
        Assert.Contains("function '__inference___call___1070'", error.Message);
    }

    [Fact]
    public void Two_table_initializers_of_the_object_graph_that_fill_the_table_differently_are_refused_naming_both()
    {
        using var dir = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(dir.Path, "model"), graph: NnlmGraphSpec.Tf2Export(normalize: false) with { Signature = false });
        var path = Path.Combine(built.Directory, "saved_model.pb");
        var model = SavedModel.Parser.ParseFrom(File.ReadAllBytes(path));
        // The outer StaticVocabularyTable's _initialize fills the same table (it delegates): here, with another vocab_size.
        var outer = model.MetaGraphs[0].GraphDef.Library.Function.Single(f => f.Signature.Name == "__inference__initializer_1033");
        outer.NodeDef.Single(n => n.Op == "InitializeTableFromTextFileV2").Attr["vocab_size"] = new AttrValue { I = 5 };
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));

        var error = Assert.Throws<LmevException>(() => ReadRecipe(built.Directory));
        output.WriteLine(error.Message);
        Assert.Contains("bound to resource '_table/_table', is the lookup's table, and 2 initializers fill it differently", error.Message);
        Assert.Contains("function '__inference__initializer_1033'", error.Message);
        Assert.Contains("function '__inference__initializer_1043'", error.Message);
        Assert.Contains("vocab_size 5", error.Message);
    }

    [Fact]
    public void Without_a_signature_and_without_an_object_graph_the_layout_rules_stand_in_and_say_why()
    {
        using var dir = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(dir.Path, "model"), graph: NnlmGraphSpec.Tf2Export(normalize: false) with { Signature = false });
        var path = Path.Combine(built.Directory, "saved_model.pb");
        var model = SavedModel.Parser.ParseFrom(File.ReadAllBytes(path));
        model.MetaGraphs[0].ObjectGraphDef = null;
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));

        var error = Assert.Throws<NnlmGraphReader.NoSignatureException>(() => ReadRecipe(built.Directory));
        Assert.Contains("has no signature (expected 'serving_default')", error.Message);
        Assert.Contains("and it has no object graph (object_graph_def) whose __call__ could be followed instead", error.Message);
        var inspect = new StringWriter();
        Assert.Equal(0, ModelInspection.Write(built.Directory, inspect));
        output.WriteLine(inspect.ToString());
        Assert.Contains("route:      NEITHER a signature NOR an object graph __call__ taking the titles: the layout rules", inspect.ToString());
        Assert.Contains("NOT from the graph:", inspect.ToString());
    }

    [SkippableFact]
    public void The_object_graph_of_a_real_TensorFlow_SavedModel_parses_with_its_functions_and_bound_variables()
    {
        var folder = TensorFlowFixtures.Require("tf-savedmodels/regression_savedmodel");
        var pb = Path.Combine(folder, "saved_model.pb");
        var meta = SavedModelGraph.Read(pb).MetaGraphs.Single();
        var objects = SavedObjects.Of(pb, meta);
        Assert.NotNull(objects);
        using var reader = TensorBundleReader.Open(Path.Combine(folder, "variables", "variables"));
        var keys = reader.Tensors.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);

        var functions = objects.Functions().ToList();
        foreach (var (path, concrete, bound) in functions)
            output.WriteLine($"{path}: {concrete} bound to [{string.Join("; ", bound.Select(objects.Describe))}]");
        Assert.Contains(functions, f => f.Path == "__call__" && f.Concrete == "__inference___call___239");
        var call = functions.Single(f => f.Path == "__call__");
        Assert.Equal(["w/.ATTRIBUTES/VARIABLE_VALUE", "b/.ATTRIBUTES/VARIABLE_VALUE"], call.Bound.Select(objects.CheckpointKey));
        Assert.All(functions, f => Assert.NotNull(new GraphView(pb, meta, objects).Function(f.Concrete)));

        // Every variable's key by its object path is a key of the checkpoint, and the one the checkpoint's own object graph gives it.
        var variables = Enumerable.Range(0, objects.Count).Where(i => objects.Node(i).KindCase == SavedObject.KindOneofCase.Variable).ToList();
        Assert.Equal(6, variables.Count);
        var checkpointGraph = TrackableObjectGraph.Parser.ParseFrom(reader.ReadBytes(reader.Get("_CHECKPOINTABLE_OBJECT_GRAPH"))[0]);
        foreach (var id in variables)
        {
            output.WriteLine(objects.Describe(id));
            Assert.Contains(objects.CheckpointKey(id)!, keys);
            Assert.Equal(checkpointGraph.Nodes[id].Attributes.Single(a => a.Name == "VARIABLE_VALUE").CheckpointKey, objects.CheckpointKey(id));
        }

        // Its __call__ takes a float, not the titles: no route to a recipe, said (the layout rules then stand in).
        var error = Assert.Throws<NnlmGraphReader.NoSignatureException>(() => NnlmGraphReader.Read(pb, false, keys));
        output.WriteLine(error.Message);
        Assert.Contains("has no signature 'serving_default' and several others (b, train, w)", error.Message);
        Assert.Contains("'__inference___call___239' takes 'x' of dtype 1, not a string", error.Message);
    }
}
