using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Tests.Models.TensorFlow;
using Lmev.Tests.Support;

namespace Lmev.Tests.Stages;

/// <summary>
/// The Model step imports NNLM-shaped TF-Hub models written by the tests (both layouts, whole, partitioned and
/// sliced tables, float32 and float64) from archives and folders pinned in data.lock.json.
/// </summary>
public sealed class NnlmImportTests
{
    /// <summary>Titles that exercise every rule: in vocabulary, out of it, punctuation, accents, empty and extra spaces.</summary>
    private static readonly string[] Titles =
    [
        "zapatillas Nike rojo", "zapatillas Adidas ÑANDÚ 42", "canción, para niño!", "¡mesa de (roble)!", "", "de  mesa", " rojo ", "...", "12 12 12",
    ];

    private static TestProject Project(string models, JsonObject sources)
    {
        var p = new TestProject(sampleRows: 600, testRows: 100);
        p.Experiment["models"] = JsonNode.Parse(models);
        p.Save();
        File.WriteAllText(Path.Combine(p.Root, DataLock.FileName), new JsonObject { ["sources"] = sources }.ToJsonString());
        return p;
    }

    private static JsonObject Source(string url, string format = "tar.gz") => new() { ["url"] = url, ["format"] = format };

    private static string ModelsJson(params (string Name, string Source)[] models) =>
        new JsonArray(models.Select(m => (JsonNode)new JsonObject { ["name"] = m.Name, ["kind"] = "nnlm", ["language"] = "es", ["source"] = m.Source }).ToArray()).ToJsonString();

    [Theory]
    [InlineData(false, NnlmTestModel.Table.Whole, false, false)]
    [InlineData(false, NnlmTestModel.Table.Whole, true, true)]
    [InlineData(true, NnlmTestModel.Table.Partitions, false, true)]
    [InlineData(true, NnlmTestModel.Table.Slices, false, false)]
    [InlineData(true, NnlmTestModel.Table.Whole, false, false)]
    public void An_imported_model_embeds_each_title_as_the_sqrtn_sum_worked_out_by_hand(bool hubModule, NnlmTestModel.Table table, bool float64, bool normalize)
    {
        using var files = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(files.Path, "model"), hubModule: hubModule, table: table, float64: float64, normalize: normalize);
        var archive = NnlmTestModel.TarGz(built.Directory, Path.Combine(files.Path, "model.tar.gz"));
        var name = normalize ? "nnlm-es-dim8-with-normalization" : "nnlm-es-dim8";
        using var p = Project(ModelsJson((name, name)), new JsonObject { [name] = Source(new Uri(archive).AbsoluteUri) });

        var model = p.Flow().Run("model")[0];
        Assert.Equal(built.Tokens.Count, (int)model.Report["vocabularySize"]!);
        Assert.Equal(built.OovBuckets, (int)model.Report["numOovBuckets"]!);
        Assert.Equal(Hashing.Sha256OfFile(archive), DataLock.Read(Path.Combine(p.Root, DataLock.FileName)).Sources[name].Sha256); // trust on first use
        if (float64) Assert.Contains(p.Log, l => l.Contains("float64; converted to float32"));

        using var embedder = BagOfEmbeddingsEmbedder.Open(Path.Combine(model.Directory, "model.onnx"), Path.Combine(model.Directory, "tokens.txt"));
        var vectors = embedder.Embed(Titles);
        for (var i = 0; i < Titles.Length; i++)
        {
            var expected = NnlmTestModel.Embedding(built, Titles[i], normalize);
            for (var d = 0; d < built.Dim; d++) Assert.Equal(expected[d], vectors[i, d], 1e-5);
        }
    }

    /// <summary>
    /// A small copy of meli2019: NNLM models given as file:// tarballs (a TF2 SavedModel embedded frozen, a TF1
    /// hub module with a partitioned table fine-tuned), two runs each on its own sample, through to the report.
    /// </summary>
    [Fact]
    public void A_small_copy_of_the_study_runs_from_test_built_tarballs_to_the_report()
    {
        using var files = new TempDir();
        var es = NnlmTestModel.Write(Path.Combine(files.Path, "es"), normalize: true);
        var en = NnlmTestModel.Write(Path.Combine(files.Path, "en"), dim: 6, oovBuckets: 11, hubModule: true, table: NnlmTestModel.Table.Partitions, seed: 2);
        var sources = new JsonObject
        {
            ["nnlm-es-dim8-with-normalization"] = Source(new Uri(NnlmTestModel.TarGz(es.Directory, Path.Combine(files.Path, "es.tar.gz"))).AbsoluteUri),
            ["nnlm-en-dim6"] = Source(new Uri(NnlmTestModel.TarGz(en.Directory, Path.Combine(files.Path, "en.tar.gz"))).AbsoluteUri),
        };
        using var p = Project("""
            [ { "name": "nnlm-es-dim8-with-normalization", "kind": "nnlm", "language": "es", "source": "nnlm-es-dim8-with-normalization" },
              { "name": "nnlm-en-dim6", "kind": "nnlm", "language": "en", "source": "nnlm-en-dim6", "mode": "fine-tune" } ]
            """, sources);
        p.Experiment["runs"] = JsonNode.Parse("""{ "count": 2, "resample": true }""");
        p.Experiment["train"] = JsonNode.Parse("""{ "epochs": 2, "batchSize": 128 }""");
        p.Save();

        p.RunAll(last: "report");

        var embed = p.Flow().Run("embed").Single(m => m.Unit == "nnlm-es-dim8-with-normalization/run-1");
        var split = p.Flow().Run("split").Single(m => m.Unit == "run-1");
        var titles = new List<string>();
        using (var reader = Lmev.Pipeline.Csv.CsvRowReader.Open(Path.Combine(split.Directory, "test.csv")))
            while (reader.NextNonBlank(out _)) titles.Add(reader.FieldString(0));
        var (values, rows, _) = Lmev.Pipeline.Npy.NpyReader.Read(Path.Combine(embed.Directory, "test.npy"));
        Assert.Equal(titles.Count, rows);
        for (var i = 0; i < titles.Count; i++)
        {
            var expected = NnlmTestModel.Embedding(es, titles[i], normalize: true);
            for (var d = 0; d < es.Dim; d++) Assert.Equal(expected[d], values[i * es.Dim + d], 1e-5);
        }

        var summary = File.ReadAllText(Path.Combine(p.Root, "report", "README.md"));
        Assert.Contains("nnlm-es-dim8-with-normalization", summary);
        Assert.Contains("nnlm-en-dim6", summary);
        Assert.Contains("remuestreo por corrida", summary);
        Assert.Contains("semilla 7, 4\u00A0000 filas", summary); // the Spanish report writes every number one way
        foreach (var run in new[] { 1, 2 })
            Assert.True(File.Exists(Path.Combine(p.Root, "saved_models", "demo", "nnlm-en-dim6", $"run-{run}", "metrics.json")));
    }

    [Fact]
    public void An_extracted_folder_given_by_path_imports_in_place_and_a_changed_file_is_refused()
    {
        using var files = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(files.Path, "nnlm-en-dim8"));
        using var p = Project(ModelsJson(("en8", "nnlm-en-dim8")), new JsonObject { ["nnlm-en-dim8"] = Source(built.Directory, "dir") });
        var model = p.Flow().Run("model")[0];
        Assert.Equal(built.Dim, (int)model.Report["dim"]!);
        Assert.NotEqual("", DataLock.Read(Path.Combine(p.Root, DataLock.FileName)).Sources["nnlm-en-dim8"].Sha256);

        File.AppendAllText(Path.Combine(built.Directory, "assets", "tokens.txt"), "nuevo\n");
        var error = Assert.Throws<LmevException>(() => p.Flow(force: true).Run("model"));
        Assert.Contains(built.Directory, error.Message);
    }

    // ---- bad input: a clear error, and nothing published ----

    private static void AssertRefused(TestProject p, params string[] fragments)
    {
        var error = Assert.Throws<LmevException>(() => p.Flow().Run("model"));
        foreach (var f in fragments) Assert.Contains(f, error.Message);
        var entries = Path.Combine(p.CacheRoot, "model");
        Assert.True(!Directory.Exists(entries) || !Directory.EnumerateDirectories(entries).Any(), "a model entry was published");
        var tmp = Path.Combine(p.CacheRoot, ".tmp");
        Assert.True(!Directory.Exists(tmp) || !Directory.EnumerateFileSystemEntries(tmp).Any(), "temporary files were left behind");
    }

    private static TestProject ProjectFor(TempDir files, string archive) =>
        Project(ModelsJson(("m", "nnlm-es-dim8")), new JsonObject { ["nnlm-es-dim8"] = Source(new Uri(archive).AbsoluteUri) });

    private static string Archive(TempDir files, Action<NnlmTestModel.Built>? damage = null, Func<string, NnlmTestModel.Built>? build = null)
    {
        var built = build?.Invoke(Path.Combine(files.Path, "model")) ?? NnlmTestModel.Write(Path.Combine(files.Path, "model"));
        damage?.Invoke(built);
        return NnlmTestModel.TarGz(built.Directory, Path.Combine(files.Path, "model.tar.gz"));
    }

    [Fact]
    public void A_truncated_tarball_is_refused()
    {
        using var files = new TempDir();
        var archive = Archive(files);
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);
        using var p = ProjectFor(files, archive);
        AssertRefused(p, "model.tar.gz");
    }

    [Theory]
    [InlineData("escape")]
    [InlineData("symlink")]
    public void An_entry_escaping_the_folder_or_a_link_is_refused_naming_the_entry(string kind)
    {
        using var files = new TempDir();
        var archive = Path.Combine(files.Path, "model.tar.gz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            if (kind == "escape")
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./variables/../../evil.txt") { DataStream = new MemoryStream([1, 2, 3]) });
            else
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "./assets/tokens.txt") { LinkName = "/etc/passwd" });
        }
        using var p = ProjectFor(files, archive);
        AssertRefused(p, "model.tar.gz", kind == "escape" ? "evil.txt" : "tokens.txt");
    }

    [Fact]
    public void A_model_without_tokens_txt_is_refused()
    {
        using var files = new TempDir();
        using var p = ProjectFor(files, Archive(files, build: d => NnlmTestModel.Write(d, writeTokens: false)));
        AssertRefused(p, "assets/tokens.txt");
    }

    [Fact]
    public void A_table_with_fewer_rows_than_tokens_is_refused()
    {
        using var files = new TempDir();
        using var p = ProjectFor(files, Archive(files, build: d => NnlmTestModel.Write(d, oovBuckets: 1, rowsShort: 3)));
        AssertRefused(p, "[8, 8]", "10 rows of its vocabulary (assets/tokens.txt");
    }

    [Fact]
    public void A_crc_mismatch_in_the_table_is_refused_naming_the_key_and_the_file()
    {
        using var files = new TempDir();
        using var p = ProjectFor(files, Archive(files, damage: built =>
        {
            var data = Path.Combine(built.Directory, "variables", "variables.data-00000-of-00001");
            var bytes = File.ReadAllBytes(data);
            bytes[5] ^= 0x40;
            File.WriteAllBytes(data, bytes);
        }));
        AssertRefused(p, "embeddings/.ATTRIBUTES/VARIABLE_VALUE", "variables.data-00000-of-00001");
    }

    [Fact]
    public void A_table_of_an_unsupported_dtype_is_refused_naming_it()
    {
        using var files = new TempDir();
        // The only table-shaped tensor is float16 (DT_HALF = 19).
        using var p = ProjectFor(files, Archive(files, build: d =>
        {
            var built = NnlmTestModel.Write(d);
            var half = new byte[(built.Tokens.Count + built.OovBuckets) * built.Dim * 2];
            var w = new TensorBundleWriter(Path.Combine(d, "variables", "variables"));
            w.AddRaw("embeddings/.ATTRIBUTES/VARIABLE_VALUE", 19, [built.Tokens.Count + built.OovBuckets, built.Dim], half);
            w.Finish();
            return built;
        }));
        AssertRefused(p, "embeddings/.ATTRIBUTES/VARIABLE_VALUE", "dtype 19");
    }

    [Fact]
    public void The_table_is_the_one_the_graph_reads_not_a_larger_tensor_beside_it()
    {
        using var files = new TempDir();
        var archive = Archive(files, build: d => NnlmTestModel.Write(d, extra: w =>
            w.AddFloat32("softmax/weights/.ATTRIBUTES/VARIABLE_VALUE", [40, 8], new float[320])));
        using var p = ProjectFor(files, archive);
        var model = p.Flow().Run("model")[0];
        Assert.Equal("embeddings/.ATTRIBUTES/VARIABLE_VALUE", (string)model.Report["table"]!);

        // An entry that names another table than the graph's is refused: the graph decides.
        p.Experiment["models"]![0]!["tensor"] = "softmax/weights/.ATTRIBUTES/VARIABLE_VALUE";
        p.Save();
        var error = Assert.Throws<LmevException>(() => p.Flow().Run("model"));
        Assert.Contains("softmax/weights/.ATTRIBUTES/VARIABLE_VALUE", error.Message);
        Assert.Contains("'embeddings/.ATTRIBUTES/VARIABLE_VALUE'", error.Message);
    }

    [Fact]
    public void Without_a_signature_two_candidate_tables_are_refused_listing_both_and_a_named_tensor_resolves_it()
    {
        using var files = new TempDir();
        var archive = Archive(files, build: d => NnlmTestModel.Write(d, legacyGraph: true, extra: w =>
            w.AddFloat32("softmax/weights/.ATTRIBUTES/VARIABLE_VALUE", [40, 8], new float[320])));
        using var p = ProjectFor(files, archive);
        AssertRefused(p, "embeddings/.ATTRIBUTES/VARIABLE_VALUE", "softmax/weights/.ATTRIBUTES/VARIABLE_VALUE", "\"tensor\"");

        p.Experiment["models"]![0]!["tensor"] = "embeddings/.ATTRIBUTES/VARIABLE_VALUE";
        p.Save();
        var model = p.Flow().Run("model")[0];
        Assert.Equal("embeddings/.ATTRIBUTES/VARIABLE_VALUE", (string)model.Report["table"]!);
        Assert.False((bool)model.Report["recipe"]!["fromGraph"]!);
        Assert.Contains(p.Log, l => l.Contains("warning: the recipe was not read from the graph") && l.Contains("no signature"));
    }

    [Fact]
    public void Oov_buckets_that_disagree_with_the_graph_are_refused()
    {
        using var files = new TempDir();
        using var p = ProjectFor(files, Archive(files, build: d => NnlmTestModel.Write(d, graphBuckets: 5)));
        AssertRefused(p, "saved_model.pb", "StringToHashBucketFast", "7");
    }
}
