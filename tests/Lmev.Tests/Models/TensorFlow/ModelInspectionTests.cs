using Lmev.Models.TensorFlow;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary><c>lmev inspect-model</c> on real TensorFlow output and on NNLM-shaped models written by the tests.</summary>
public sealed class ModelInspectionTests
{
    private static (int Code, string Text) Inspect(string path, string? tensor = null)
    {
        var output = new StringWriter();
        var code = ModelInspection.Write(path, output, tensor);
        return (code, output.ToString());
    }

    [SkippableTheory]
    [InlineData("tfhub/half_plus_two_v1.tar.gz", "TF1 hub module", new[] { "a", "b" })]
    [InlineData("tf-savedmodels/regression-model", "SavedModel (saved_model.pb)", new[] { "b", "w" })]
    [InlineData("tf-savedmodels/regression_savedmodel", "SavedModel (saved_model.pb)", new[] { "_CHECKPOINTABLE_OBJECT_GRAPH", "b/.ATTRIBUTES/VARIABLE_VALUE",
        "optimizer/decay/.ATTRIBUTES/VARIABLE_VALUE", "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE", "optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE",
        "optimizer/momentum/.ATTRIBUTES/VARIABLE_VALUE", "w/.ATTRIBUTES/VARIABLE_VALUE" })]
    public void Lists_every_key_of_real_tensorflow_output_with_a_passing_crc(string fixture, string layout, string[] keys)
    {
        var (code, text) = Inspect(TensorFlowFixtures.Require(fixture));
        Assert.Equal(0, code);
        Assert.Contains($"layout:     {layout}", text);
        var rows = text.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("key ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(keys, rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal("ok", r[^1]));
        Assert.Contains("import:     not possible", text); // none of them is a text embedding
    }

    [SkippableFact]
    public void A_flipped_byte_in_a_data_file_fails_naming_the_key_and_the_file()
    {
        using var dir = new TempDir();
        var copy = Path.Combine(dir.Path, "model");
        CopyFolder(TensorFlowFixtures.Require("tf-savedmodels/regression_savedmodel"), copy);
        var data = Path.Combine(copy, "variables", "variables.data-00000-of-00001");
        var bytes = File.ReadAllBytes(data);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(data, bytes);

        var (code, text) = Inspect(copy);

        Assert.Equal(1, code);
        var failed = text.Split('\n').Where(l => l.Contains("FAILED")).ToList();
        Assert.Single(failed);
        Assert.Contains("variables.data-00000-of-00001", failed[0]);
        Assert.Contains("1 tensor failed the CRC32C check", text);
    }

    [Fact]
    public void Says_which_table_and_oov_buckets_an_nnlm_model_would_import()
    {
        using var dir = new TempDir();
        var built = NnlmTestModel.Write(Path.Combine(dir.Path, "m"), hubModule: true, table: NnlmTestModel.Table.Partitions);
        var archive = NnlmTestModel.TarGz(built.Directory, Path.Combine(dir.Path, "m.tar.gz"));
        var (code, text) = Inspect(archive);
        Assert.Equal(0, code);
        Assert.Contains("vocabulary: assets/tokens.txt, 10 tokens", text);
        Assert.Contains("import:     table 'embeddings' float32 [17, 8] in 3 partitions, 'mod' strategy; 10 tokens + 7 OOV buckets; as the graph specifies", text);
        Assert.Contains("split: StringSplit(delimiter \" \", skip_empty true", text);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
