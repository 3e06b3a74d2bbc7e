using System.Diagnostics;
using Lmev.Pipeline;
using Lmev.Pipeline.Npy;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

public sealed class NpyTests
{
    [Fact]
    public void A_streamed_matrix_reads_back_with_its_shape()
    {
        using var dir = new TempDir();
        var path = dir.File("m.npy");
        using (var w = new NpyWriter(path, 3))
        {
            w.Append([1f, 2f, 3f]);
            w.Append([4f, 5f, 6f, -7.5f, 0f, float.MaxValue]);
        }
        var (values, rows, columns) = NpyReader.Read(path);
        Assert.Equal((3L, 3), (rows, columns));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, -7.5f, 0f, float.MaxValue], values);
        Assert.Equal(0, new FileInfo(path).Length % 4);
    }

    [Fact]
    public void The_header_follows_the_npy_format_and_is_64_byte_aligned()
    {
        var header = NpyWriter.Header(12, 50);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (12, 50), }", System.Text.Encoding.ASCII.GetString(header, 10, header.Length - 10).TrimEnd());
        Assert.Equal((byte)'\n', header[^1]);
    }

    [Fact]
    public void A_truncated_file_is_an_error_naming_the_file_and_the_sizes()
    {
        using var dir = new TempDir();
        var path = dir.File("m.npy");
        using (var w = new NpyWriter(path, 2)) w.Append([1f, 2f, 3f, 4f]);
        using (var f = new FileStream(path, FileMode.Open)) f.SetLength(f.Length - 4);
        var e = Assert.Throws<LmevException>(() => NpyReader.Read(path));
        Assert.Contains("m.npy: header says 2 × 2 float32 values (16 bytes), the file holds 12 bytes", e.Message);
    }

    [SkippableFact]
    public void Numpy_loads_the_file_when_python_and_numpy_are_present()
    {
        using var dir = new TempDir();
        var path = dir.File("m.npy");
        using (var w = new NpyWriter(path, 2)) w.Append([1.5f, -2f, 3f, 4f]);
        var info = new ProcessStartInfo("python3", ["-c", $"import numpy as n; a = n.load('{path}'); print(a.shape, a.dtype, a.sum())"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        Process? p = null;
        try { p = Process.Start(info); } catch (System.ComponentModel.Win32Exception) { }
        Skip.If(p is null, "python3 is not installed");
        p!.WaitForExit();
        var err = p.StandardError.ReadToEnd();
        Skip.If(err.Contains("No module named 'numpy'"), "numpy is not installed");
        Assert.Equal("(2, 2) float32 6.5", p.StandardOutput.ReadToEnd().Trim());
    }
}
