using Lmev.Models.TensorFlow;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>Checkpoints written by <see cref="TensorBundleWriter"/> read back through <see cref="TensorBundleReader"/>.</summary>
public class TensorBundleRoundTripTests
{
    private static float[] Ramp(int n) => Enumerable.Range(0, n).Select(i => i * 0.25f - 3f).ToArray();

    [Fact]
    public void Should_Round_Trip_Float32_Float64_Int64_Int32_And_String_Tensors()
    {
        using var dir = new TempDir();
        var writer = new TensorBundleWriter(Path.Combine(dir.Path, "variables", "variables"));
        writer.AddFloat32("embeddings", [3, 4], Ramp(12));
        writer.AddFloat64("weights", [2, 3], [1.5, -2.25, 3, 1e-3, 1e30, -0.0]);
        writer.AddInt64("global_step", [], [123_456_789_012L]);
        writer.AddInt32("ids", [4], [1, -2, 3, int.MaxValue]);
        writer.AddStrings("vocab", [4], ["", "hola", "año", new string('x', 300)]);
        writer.Finish();

        using var reader = TensorBundleReader.Open(writer.Prefix);
        Assert.Equal(1, reader.NumShards);
        Assert.Equal(["embeddings", "global_step", "ids", "vocab", "weights"], reader.Tensors.Select(t => t.Key));
        Assert.Equal(["float32", "int64", "int32", "string", "float64"], reader.Tensors.Select(t => t.DTypeName));
        foreach (var t in reader.Tensors) reader.Verify(t);

        Assert.Equal([3L, 4L], reader.Get("embeddings").Shape);
        Assert.Equal(48, reader.Get("embeddings").ByteSize);
        Assert.Equal(Ramp(12), reader.ReadAsFloat32(reader.Get("embeddings")));
        Assert.Equal([1.5f, -2.25f, 3f, 1e-3f, 1e30f, -0f], reader.ReadAsFloat32(reader.Get("weights")));
        Assert.Equal([123_456_789_012L], reader.ReadInt64(reader.Get("global_step")));
        Assert.Equal([1, -2, 3, int.MaxValue], reader.ReadInt32(reader.Get("ids")));
        Assert.Equal([1L, -2L, 3L, int.MaxValue], reader.ReadInt64(reader.Get("ids")));
        Assert.Equal(["", "hola", "año", new string('x', 300)], reader.ReadStrings(reader.Get("vocab")));
    }

    [Fact]
    public void Should_Read_Many_Blocks_And_Shards()
    {
        using var dir = new TempDir();
        // Small blocks give many data blocks and restart points; keys share prefixes, as TF2 keys do.
        var writer = new TensorBundleWriter(Path.Combine(dir.Path, "variables"), numShards: 3, blockSize: 64);
        var keys = Enumerable.Range(0, 200).Select(i => $"layer_{i / 10}/kernel_{i:D3}/.ATTRIBUTES/VARIABLE_VALUE").ToArray();
        for (var i = 0; i < keys.Length; i++) writer.AddFloat32(keys[i], [2], [i, -i], shard: i % 3);
        writer.Finish();
        Assert.True(new FileInfo(writer.DataPath(2)).Length > 0);

        using var reader = TensorBundleReader.Open(writer.Prefix);
        Assert.Equal(3, reader.NumShards);
        Assert.Equal(keys.Order(StringComparer.Ordinal), reader.Tensors.Select(t => t.Key));
        for (var i = 0; i < keys.Length; i++) Assert.Equal([i, -i], reader.ReadAsFloat32(reader.Get(keys[i])));
    }

    [Fact]
    public void Should_Read_An_Index_With_Snappy_Compressed_Blocks()
    {
        using var dir = new TempDir();
        var writer = new TensorBundleWriter(Path.Combine(dir.Path, "variables"), blockSize: 128, snappyIndex: true);
        for (var i = 0; i < 50; i++) writer.AddInt64($"aaaaaaaaaaaaaaaa/var_{i:D2}", [1], [i]);
        writer.Finish();

        using var reader = TensorBundleReader.Open(writer.Prefix);
        Assert.Equal(50, reader.Tensors.Count);
        Assert.Equal([49L], reader.ReadInt64(reader.Get("aaaaaaaaaaaaaaaa/var_49")));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(0, 1)]
    public void Should_Assemble_A_Partitioned_Variable_From_Its_Slices(int axis, int shards)
    {
        using var dir = new TempDir();
        var writer = new TensorBundleWriter(Path.Combine(dir.Path, "variables"), numShards: shards);
        long[] shape = axis == 0 ? [10, 3] : [3, 10];
        var values = Ramp(30);
        writer.AddPartitionedFloat32("embedding_table", shape, values, axis, [4, 3, 3]);
        writer.AddFloat32("zz_other", [1], [7f]);
        writer.Finish();

        using var reader = TensorBundleReader.Open(writer.Prefix);
        // The slices' own entries (keys starting with 0x00) are not listed.
        Assert.Equal(["embedding_table", "zz_other"], reader.Tensors.Select(t => t.Key));
        var table = reader.Get("embedding_table");
        Assert.True(table.IsSliced);
        Assert.Equal(shape, table.Shape);
        Assert.Equal(120, table.ByteSize);
        reader.Verify(table);
        Assert.Equal(values, reader.ReadAsFloat32(table));
    }

    [Fact]
    public void Should_Name_Close_Keys_When_A_Key_Is_Absent()
    {
        using var dir = new TempDir();
        var writer = new TensorBundleWriter(Path.Combine(dir.Path, "variables"));
        writer.AddFloat32("module/embeddings", [1], [1f]);
        writer.AddFloat32("module/bias", [1], [1f]);
        writer.Finish();

        using var reader = TensorBundleReader.Open(writer.Prefix);
        var e = Assert.Throws<Lmev.Pipeline.LmevException>(() => reader.Get("module/embedding"));
        Assert.Contains("variables.index", e.Message);
        Assert.Contains("\"module/embeddings\"", e.Message);
    }

    [Theory]
    [InlineData(19, 2, "dtype 19")]
    [InlineData(10, 1, "dtype 10")]
    [InlineData(9, 8, "int64")]
    public void Should_Refuse_To_Read_Other_DTypes_As_Float(int dtype, int elementBytes, string name)
    {
        using var dir = new TempDir();
        var writer = new TensorBundleWriter(Path.Combine(dir.Path, "variables"));
        writer.AddRaw("flags", dtype, [4], new byte[4 * elementBytes]);
        writer.Finish();

        using var reader = TensorBundleReader.Open(writer.Prefix);
        var t = reader.Get("flags");
        Assert.Equal(name, t.DTypeName);
        reader.Verify(t);
        var e = Assert.Throws<Lmev.Pipeline.LmevException>(() => reader.ReadAsFloat32(t));
        Assert.Contains("\"flags\"", e.Message);
        Assert.Contains(name, e.Message);
        Assert.Contains("expected float32 or float64", e.Message);
    }

    [Fact]
    public void Should_Find_Hash_Bucket_Counts_In_The_Graph_And_Its_Functions()
    {
        using var dir = new TempDir();
        var path = dir.File("saved_model.pb");
        TensorBundleWriter.WriteSavedModel(path, graphBuckets: [20_000], functionBuckets: [40_000, 5]);
        Assert.Equal([20_000L, 40_000L, 5L], SavedModelGraph.HashBucketCounts(path));
    }

    [Fact]
    public void Should_Name_The_File_When_Saved_Model_Does_Not_Parse()
    {
        using var dir = new TempDir();
        var path = dir.File("saved_model.pb", "this is not a protocol buffer");
        var e = Assert.Throws<Lmev.Pipeline.LmevException>(() => SavedModelGraph.HashBucketCounts(path));
        Assert.Contains(path, e.Message);
    }
}
