using Lmev.Models.TensorFlow;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>A large float64 table is narrowed to float32 as it streams, never held as doubles.</summary>
public class TensorBundleMemoryTests
{
    [Fact]
    public void Should_Read_A_Float64_Table_As_Float32_Allocating_Little_More_Than_The_Result()
    {
        const int rows = 200_000, dims = 64;
        using var dir = new TempDir();
        var writer = new TensorBundleWriter(Path.Combine(dir.Path, "variables"));
        var table = new double[rows * dims];
        for (var i = 0; i < table.Length; i++) table[i] = (i % 1000) * 0.001 - 0.5;
        writer.AddFloat64("embeddings", [rows, dims], table);
        writer.Finish();
        table = null!;
        writer = null!;
        GC.Collect();

        using var reader = TensorBundleReader.Open(Path.Combine(dir.Path, "variables"));
        var t = reader.Get("embeddings");
        Assert.Equal(rows * dims * 8L, t.ByteSize);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var values = reader.ReadAsFloat32(t);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var float32Size = rows * dims * 4L;
        Assert.True(allocated < 1.2 * float32Size, $"allocated {allocated:N0} bytes reading a {float32Size:N0}-byte float32 table");
        Assert.Equal((float)(0.001 * 999 - 0.5), values[999]);
        Assert.Equal((float)(0.001 * ((rows * dims - 1) % 1000) - 0.5), values[^1]);
    }
}
