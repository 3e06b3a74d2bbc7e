using Lmev.Models.TensorFlow;
using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>Every byte read is checked: data files by the entries' CRC32C, the index by its blocks' trailers.</summary>
public class TensorBundleCorruptionTests
{
    private static TensorBundleWriter Write(string dir)
    {
        var writer = new TensorBundleWriter(Path.Combine(dir, "variables"));
        writer.AddFloat32("a", [4], [1, 2, 3, 4]);
        writer.AddFloat64("b", [3], [1, 2, 3]);
        writer.AddStrings("c", [2], ["uno", "dos"]);
        writer.Finish();
        return writer;
    }

    private static void Flip(string path, long offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }

    [Theory]
    [InlineData("a", 5)]      // inside a's 16 bytes
    [InlineData("b", 16 + 9)] // inside b's 24 bytes
    public void Should_Name_Key_And_Data_File_When_A_Data_Byte_Flips(string key, long offset)
    {
        using var dir = new TempDir();
        var writer = Write(dir.Path);
        Flip(writer.DataPath(0), offset);

        using var reader = TensorBundleReader.Open(writer.Prefix);
        var t = reader.Get(key);
        foreach (var act in new Action[] { () => reader.Verify(t), () => reader.ReadAsFloat32(t) })
        {
            var e = Assert.Throws<LmevException>(act);
            Assert.Contains($"\"{key}\"", e.Message);
            Assert.Contains("variables.data-00000-of-00001", e.Message);
            Assert.Contains("CRC32C", e.Message);
        }
        reader.Verify(reader.Get(key == "a" ? "b" : "a")); // the other tensor is intact
    }

    [Theory]
    [InlineData(0)]  // a string length: the lengths' checksum catches it
    [InlineData(10)] // a string byte: the entry's CRC catches it
    public void Should_Name_Key_And_Data_File_When_A_String_Byte_Flips(int within)
    {
        using var dir = new TempDir();
        var writer = Write(dir.Path);
        Flip(writer.DataPath(0), 16 + 24 + within);

        using var reader = TensorBundleReader.Open(writer.Prefix);
        var e = Assert.Throws<LmevException>(() => reader.ReadStrings(reader.Get("c")));
        Assert.Contains("\"c\"", e.Message);
        Assert.Contains("variables.data-00000-of-00001", e.Message);
    }

    [Fact]
    public void Should_Name_Index_File_And_Block_When_An_Index_Byte_Flips()
    {
        using var dir = new TempDir();
        var writer = Write(dir.Path);
        Flip(writer.IndexPath, 12); // inside the first data block

        var e = Assert.Throws<LmevException>(() => TensorBundleReader.Open(writer.Prefix));
        Assert.Contains("variables.index", e.Message);
        Assert.Contains("data block at offset 0", e.Message);
        Assert.Contains("CRC32C", e.Message);
    }

    [Fact]
    public void Should_Name_Index_File_When_The_Footer_Magic_Is_Wrong()
    {
        using var dir = new TempDir();
        var writer = Write(dir.Path);
        Flip(writer.IndexPath, new FileInfo(writer.IndexPath).Length - 1);

        var e = Assert.Throws<LmevException>(() => TensorBundleReader.Open(writer.Prefix));
        Assert.Contains("variables.index", e.Message);
        Assert.Contains("magic", e.Message);
    }

    [SkippableFact]
    public void Should_Catch_A_Flipped_Byte_In_Real_TensorFlow_Data()
    {
        var prefix = TensorFlowFixtures.Require("tf-savedmodels/regression_savedmodel/variables/variables");
        using var dir = new TempDir();
        var copy = Path.Combine(dir.Path, "variables");
        File.Copy(prefix + ".index", copy + ".index");
        File.Copy(prefix + ".data-00000-of-00001", copy + ".data-00000-of-00001");
        using (var intact = TensorBundleReader.Open(copy))
        {
            var w = intact.Get("w/.ATTRIBUTES/VARIABLE_VALUE");
            Flip(copy + ".data-00000-of-00001", FindOffset(copy, intact.ReadAsFloat32(w)[0]));
        }
        using var reader = TensorBundleReader.Open(copy);
        var e = Assert.Throws<LmevException>(() => reader.Verify(reader.Get("w/.ATTRIBUTES/VARIABLE_VALUE")));
        Assert.Contains("\"w/.ATTRIBUTES/VARIABLE_VALUE\"", e.Message);
        Assert.Contains("variables.data-00000-of-00001", e.Message);
    }

    private static long FindOffset(string prefix, float value)
    {
        var bytes = File.ReadAllBytes(prefix + ".data-00000-of-00001");
        var pattern = BitConverter.GetBytes(value);
        var at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0);
        return at;
    }
}
