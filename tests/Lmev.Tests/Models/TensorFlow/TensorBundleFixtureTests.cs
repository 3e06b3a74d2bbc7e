using Lmev.Models.TensorFlow;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>The reader against checkpoints and SavedModels written by TensorFlow itself.</summary>
public class TensorBundleFixtureTests(ITestOutputHelper output)
{
    private IReadOnlyList<BundleTensor> ListAndVerify(TensorBundleReader reader)
    {
        foreach (var t in reader.Tensors)
        {
            output.WriteLine($"{t.Key}\t{t.DTypeName}\t[{string.Join(",", t.Shape)}]\t{t.ByteSize} bytes");
            reader.Verify(t);
        }
        return reader.Tensors;
    }

    [SkippableFact]
    public void Should_List_And_Verify_The_TF1_Regression_Model()
    {
        using var reader = TensorBundleReader.Open(TensorFlowFixtures.Require("tf-savedmodels/regression-model/variables/variables"));
        var tensors = ListAndVerify(reader);
        Assert.Equal(["b", "w"], tensors.Select(t => t.Key));
        Assert.All(tensors, t => Assert.Equal("float32", t.DTypeName));
        Assert.All(tensors, t => Assert.Equal([1L], t.Shape));
        Assert.Equal([0f], reader.ReadAsFloat32(reader.Get("b"))); // a bias initialised to zero
        output.WriteLine($"w = {string.Join(", ", reader.ReadAsFloat32(reader.Get("w")))}; b = {string.Join(", ", reader.ReadAsFloat32(reader.Get("b")))}");
    }

    [SkippableFact]
    public void Should_List_And_Verify_The_TF2_Regression_SavedModel()
    {
        using var reader = TensorBundleReader.Open(TensorFlowFixtures.Require("tf-savedmodels/regression_savedmodel/variables/variables"));
        var tensors = ListAndVerify(reader);
        Assert.Equal(7, tensors.Count);
        Assert.Contains(tensors, t => t.Key == "w/.ATTRIBUTES/VARIABLE_VALUE");
        var iter = reader.Get("optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE");
        Assert.Equal("int64", iter.DTypeName);
        Assert.True(Assert.Single(reader.ReadInt64(iter)) >= 0);
        var graph = reader.Get("_CHECKPOINTABLE_OBJECT_GRAPH");
        Assert.Equal("string", graph.DTypeName);
        Assert.Empty(graph.Shape);
        Assert.NotEmpty(Assert.Single(reader.ReadBytes(graph)));
        var w = reader.Get("w/.ATTRIBUTES/VARIABLE_VALUE");
        output.WriteLine($"w = {string.Join(", ", reader.ReadAsFloat32(w))}");
    }

    [SkippableFact]
    public void Should_Read_The_Half_Plus_Two_Hub_Module_From_Its_Archive()
    {
        var archive = TensorFlowFixtures.Require("tfhub/half_plus_two_v1.tar.gz");
        using var dir = new TempDir();
        TensorFlowFixtures.ExtractTarGz(archive, dir.Path);
        using var reader = TensorBundleReader.Open(Path.Combine(dir.Path, "variables", "variables"));
        var tensors = ListAndVerify(reader);
        Assert.Equal(["a", "b"], tensors.Select(t => t.Key));
        // half_plus_two computes y = a * x + b with scalars a = 0.5 and b = 2.
        Assert.Equal([0.5f], reader.ReadAsFloat32(reader.Get("a")));
        Assert.Equal([2f], reader.ReadAsFloat32(reader.Get("b")));
        Assert.Empty(reader.Get("a").Shape);
        Assert.Empty(SavedModelGraph.HashBucketCounts(Path.Combine(dir.Path, "saved_model.pb")));
    }

    [SkippableTheory]
    [InlineData("tf-savedmodels/regression-model/saved_model.pb")]
    [InlineData("tf-savedmodels/regression_savedmodel/saved_model.pb")]
    public void Should_Parse_Real_SavedModel_Graphs(string relative)
    {
        var counts = SavedModelGraph.HashBucketCounts(TensorFlowFixtures.Require(relative));
        Assert.Empty(counts);
    }
}
