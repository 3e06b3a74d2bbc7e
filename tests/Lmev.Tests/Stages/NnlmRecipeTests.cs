using System.Text.Json.Nodes;
using Lmev.Models;
using Lmev.Models.TensorFlow;
using Lmev.Pipeline;
using Lmev.Tests.Models.TensorFlow;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Stages;

/// <summary>
/// The graph is the specification: for test-built graphs of each recipe (TF1's StringSplit + \pP, TF2's StringSplitV2
/// keeping empty tokens, StringLower, tables partitioned 'mod' and 'div', other combiners), lmev's import embeds every
/// tricky title as TensorFlow's op semantics do — TensorFlow.js's pure-JS ops, run on the same table — and the layout
/// rules lmev used before would not have.
/// </summary>
public sealed class NnlmRecipeTests(ITestOutputHelper output)
{
    /// <summary>Double, leading and trailing spaces, only punctuation, ¿¡, accents, emoji, digits, tabs, NBSP, case, empty.</summary>
    public static readonly string[] Titles =
    [
        "zapatillas Nike rojo", "zapatillas  Nike", " rojo", "rojo ", "  de  mesa  ", "...", "¡¿?!", "¿Canción para niño?", "canción, para niño!",
        "ÑANDÚ rojo", "mesa 😀 de", "😀", "12 de 2019", "de\tmesa", "de\u00a0mesa", "", "   ", "Zapatillas NIKE Rojo", "rojo-mesa (12)",
    ];

    private static readonly string[] Tokens = ["de", "zapatillas", "niño", "", "canción", "Nike", "rojo", "12", "para", "mesa", "nike", "¿canción", "ñandú"];
    private const int Dim = 8, Buckets = 7;

    public static TheoryData<string> Recipes => new(RecipeCases.Keys);

    /// <summary>Each case: the layout it is packed in and the graph it holds.</summary>
    private static readonly Dictionary<string, (bool HubModule, NnlmGraphSpec Graph, string[] Steps)> RecipeCases = new()
    {
        ["tf1-hub-module-pP-StringSplit"] = (true, NnlmGraphSpec.Tf1(normalize: true),
            ["regex_replace(pattern \"\\\\pP\", rewrite \"\", every match) [StaticRegexReplace]", "split: StringSplit(delimiter \" \", skip_empty true",
             "a title with no token gets the token \"\""]),
        ["tf1-graph-in-a-savedmodel"] = (false, NnlmGraphSpec.Tf1(normalize: false),
            ["split: StringSplit(delimiter \" \", skip_empty true", "a title with no token gets the token \"\""]),
        ["tf2-pP-StringSplitV2-float64"] = (false, NnlmGraphSpec.Tf2Export(normalize: true) with { Float64 = true },
            ["regex_replace(pattern \"\\\\pP\", rewrite \"\", every match) [StaticRegexReplace]", "split: StringSplitV2(sep \" \": empty tokens kept",
             "a title with no token gets the token \"\""]),
        ["tf2-no-signature-object-graph-pP"] = (false, NnlmGraphSpec.Tf2Export(normalize: true) with { Signature = false },
            ["regex_replace(pattern \"\\\\pP\", rewrite \"\", every match) [StaticRegexReplace]", "split: StringSplitV2(sep \" \": empty tokens kept",
             "a title with no token gets the token \"\""]),
        ["tf2-StringLower-mean"] = (false, NnlmGraphSpec.Tf2Export(normalize: false) with { Lower = true, Combiner = "mean" },
            ["lower(encoding \"\": ASCII letters only) [StringLower]", "split: StringSplitV2(sep \" \""]),
        ["tf1-partitioned-mod"] = (true, new NnlmGraphSpec(Partitions: 3, Strategy: "mod"), ["split: StringSplit(delimiter \" \", skip_empty true"]),
        ["tf1-partitioned-div-pP-sum"] = (true, new NnlmGraphSpec(Pattern: @"\pP", Partitions: 3, Strategy: "div", Combiner: "sum"),
            ["regex_replace(pattern \"\\\\pP\"", "split: StringSplit(delimiter \" \", skip_empty true"]),
    };

    [SkippableTheory]
    [MemberData(nameof(Recipes))]
    public void Embed_equals_TensorFlow_js_for_every_title_and_the_layout_rules_would_not(string name)
    {
        var (hubModule, graph, steps) = RecipeCases[name];
        using var dir = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(dir.Path, "model"), dim: Dim, oovBuckets: Buckets, hubModule: hubModule, tokens: Tokens, graph: graph,
            float64: graph.Float64);
        var (expected, version) = TfjsOracle.Embed(OracleSpec(built, graph));

        // inspect-model prints the recipe, step by step in order.
        var inspect = new StringWriter();
        Assert.Equal(0, ModelInspection.Write(built.Directory, inspect));
        var text = inspect.ToString();
        output.WriteLine(text);
        Assert.Contains(graph.Signature ? "route:      the serving signature" : "route:      the object graph's __call__ (the model has no serving signature)", text);
        Assert.Contains(graph.Signature ? "recipe:     from the graph: signature" : "recipe:     from the graph: object graph of saved_model.pb (no serving signature): __call__", text);
        var at = 0;
        foreach (var step in steps)
        {
            var found = text.IndexOf(step, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"inspect-model does not print, after position {at}, the step: {step}");
            at = found;
        }
        Assert.Contains($"combiner: {graph.Combiner}", text);
        if (graph.Partitions > 1) Assert.Contains($"in {graph.Partitions} partitions, '{graph.Strategy}' strategy", text);

        var lmev = EmbedWithLmev(built.Directory, layoutRules: false, dir.Path);
        for (var i = 0; i < Titles.Length; i++)
            for (var d = 0; d < Dim; d++)
                Assert.True(Math.Abs(expected[i][d] - lmev[i, d]) <= 1e-6,
                    $"{name}: title {Quote(Titles[i])}, dim {d}: TensorFlow.js {version} gives {expected[i][d]}, lmev {lmev[i, d]}");

        var layout = EmbedWithLmev(built.Directory, layoutRules: true, dir.Path);
        var differ = Enumerable.Range(0, Titles.Length).Where(i => Enumerable.Range(0, Dim).Any(d => Math.Abs(expected[i][d] - layout[i, d]) > 1e-6)).ToList();
        output.WriteLine($"{name}: the layout rules would embed {differ.Count} of {Titles.Length} titles differently: {string.Join(", ", differ.Select(i => Quote(Titles[i])))}");
        Assert.NotEmpty(differ);
    }

    private static float[,] EmbedWithLmev(string folder, bool layoutRules, string scratch)
    {
        var layout = HubModelLayout.Of(folder);
        using var reader = TensorBundleReader.Open(layout.VariablesPrefix);
        var plan = NnlmImport.Plan(layout, reader, null, normalizeByName: false, layoutRules: layoutRules);
        var model = plan.Read(reader, _ => { });
        var into = Path.Combine(scratch, layoutRules ? "layout" : "graph");
        Directory.CreateDirectory(into);
        plan.WriteVocabulary(Path.Combine(into, "tokens.txt"));
        model.WriteOnnx(Path.Combine(into, "model.onnx"));
        using var embedder = BagOfEmbeddingsEmbedder.Open(Path.Combine(into, "model.onnx"), Path.Combine(into, "tokens.txt"));
        return embedder.Embed(Titles);
    }

    /// <summary>What the oracle is told: the recipe the graph was built from (not what lmev read from it), the table as stored.</summary>
    private static JsonObject OracleSpec(NnlmTestModel.Built built, NnlmGraphSpec graph)
    {
        var rows = (long)built.Tokens.Count + built.OovBuckets;
        var parts = new JsonArray();
        for (var p = 0; p < graph.Partitions; p++)
        {
            var part = new JsonArray();
            var partRows = graph.Partitions == 1 ? rows : graph.PartRows(rows, p);
            for (long l = 0; l < partRows; l++)
            {
                var id = graph.Partitions == 1 ? l : graph.Global(rows, p, l);
                // float64 tables: the value lmev converts to float32 is the one the test wrote (a float).
                for (var d = 0; d < built.Dim; d++) part.Add((double)built.Values[id * built.Dim + d]);
            }
            parts.Add(part);
        }
        return new JsonObject
        {
            ["titles"] = new JsonArray(Titles.Select(t => (JsonNode)t).ToArray()),
            ["pattern"] = graph.Pattern,
            ["lower"] = graph.Lower,
            ["splitOp"] = graph.SplitOp,
            ["skipEmpty"] = graph.SkipEmpty,
            ["tokens"] = new JsonArray(built.Tokens.Select(t => (JsonNode)t).ToArray()),
            ["numBuckets"] = built.OovBuckets,
            ["fillToken"] = "",
            ["parts"] = parts,
            ["dim"] = built.Dim,
            ["strategy"] = graph.Strategy,
            ["combiner"] = graph.Combiner,
        };
    }

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s, CanonicalJson.Options);

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void An_op_lmev_does_not_model_on_the_path_fails_naming_the_op_and_its_node(bool tf2, bool signature)
    {
        using var dir = new TempDir();
        var graph = (tf2 ? NnlmGraphSpec.Tf2Export(normalize: true) : NnlmGraphSpec.Tf1(normalize: true)) with { ExtraOp = "StringNGrams", Signature = signature };
        var built = NnlmTestModel.Write(Path.Combine(dir.Path, "model"), hubModule: !tf2, graph: graph);
        var layout = HubModelLayout.Of(built.Directory);
        using var reader = TensorBundleReader.Open(layout.VariablesPrefix);
        var error = Assert.Throws<LmevException>(() => NnlmImport.Plan(layout, reader, null));
        Assert.Contains("node 'StringNGrams' (StringNGrams)", error.Message);
        Assert.Contains("lmev does not model the op StringNGrams", error.Message);
        Assert.Contains("saved_model.pb", error.Message);
        if (tf2) Assert.Contains("function '__inference__tokenize_1049'", error.Message);
        if (!signature) Assert.Contains("(object graph __call__)", error.Message);
        output.WriteLine(error.Message);

        var inspect = new StringWriter();
        ModelInspection.Write(built.Directory, inspect);
        Assert.Contains("recipe:     NOT FOUND:", inspect.ToString());
        Assert.Contains("StringNGrams", inspect.ToString());
    }

    [Fact]
    public void A_table_of_another_shape_than_the_lock_pins_is_refused_and_nothing_is_written_to_the_lock()
    {
        using var files = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(files.Path, "model"));
        var archive = NnlmTestModel.TarGz(built.Directory, Path.Combine(files.Path, "model.tar.gz"));
        using var p = new TestProject(sampleRows: 600, testRows: 100);
        p.Experiment["models"] = JsonNode.Parse("""[ { "name": "nnlm-es-dim8", "kind": "nnlm", "language": "es", "source": "nnlm-es-dim8" } ]""");
        p.Save();
        var lockPath = Path.Combine(p.Root, DataLock.FileName);
        File.WriteAllText(lockPath, new JsonObject
        {
            ["sources"] = new JsonObject
            {
                ["nnlm-es-dim8"] = new JsonObject { ["url"] = new Uri(archive).AbsoluteUri, ["format"] = "tar.gz", ["rows"] = 976640, ["dim"] = 8 },
            },
        }.ToJsonString());
        var before = File.ReadAllBytes(lockPath);

        var error = Assert.Throws<LmevException>(() => p.Flow().Run("model"));
        Assert.Contains("pins the table at [976,640, 8]", error.Message);
        Assert.Contains("[17, 8]", error.Message);
        Assert.Contains("nothing was written to the lock", error.Message);
        Assert.Equal(before, File.ReadAllBytes(lockPath));

        // The right shape imports, and only then does trust on first use fill the hash.
        var fixedLock = JsonNode.Parse(File.ReadAllText(lockPath))!;
        fixedLock["sources"]!["nnlm-es-dim8"]!["rows"] = 17;
        File.WriteAllText(lockPath, fixedLock.ToJsonString());
        p.Flow().Run("model");
        Assert.Equal(Hashing.Sha256OfFile(archive), DataLock.Read(lockPath).Sources["nnlm-es-dim8"].Sha256);
        Assert.Equal(17, DataLock.Read(lockPath).Sources["nnlm-es-dim8"].Rows);
    }

    [Fact]
    public void The_lock_pins_the_study_s_table_shapes_for_the_eight_nnlm_models()
    {
        var root = SharedData.RepoRoot() ?? throw new InvalidOperationException("no lmev.slnx above the test folder");
        var sources = DataLock.Read(Path.Combine(root, DataLock.FileName)).Sources.Where(s => s.Key.StartsWith("nnlm-", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, sources.Count);
        foreach (var (name, s) in sources)
        {
            var expectedRows = name.StartsWith("nnlm-es", StringComparison.Ordinal) ? 976_640 : name.StartsWith("nnlm-en-dim50", StringComparison.Ordinal) ? 963_812 : 973_771;
            Assert.Equal(expectedRows, s.Rows);
            Assert.Equal(name.Contains("dim128", StringComparison.Ordinal) ? 128 : 50, s.Dim);
        }
    }
}
