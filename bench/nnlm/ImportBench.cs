using System.Diagnostics;
using Lmev.Bench;
using Lmev.Models;
using Lmev.Models.TensorFlow;
using Lmev.Tests.Models.TensorFlow;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// import: the NNLM import on an NNLM-size checkpoint. A TF2 SavedModel-shaped folder is written with the
/// tests' bundle writer (tokens.txt of <c>--tokens</c> lines, a [976,640, 128] table, float32 or with
/// <c>--float64</c> float64, optionally in <c>--partitions</c> part_K tensors), then a child process imports it
/// (read + CRC + ONNX written, as the Model step does) so that its peak RSS is the import's alone.
/// Goal: peak memory under twice the float32 table.
/// </summary>
internal static class ImportBench
{
    public static int Run(BenchArgs args)
    {
        int rows = args.Int("--rows", 976_640), dim = args.Int("--dim", 128), tokens = args.Int("--tokens", 973_771), partitions = args.Int("--partitions", 1);
        var float64 = args.Flag("--float64");
        var dir = Path.Combine(Path.GetTempPath(), $"lmev-bench-nnlm-import-{Environment.ProcessId}");
        try
        {
            var clock = Stopwatch.StartNew();
            Write(dir, rows, dim, tokens, partitions, float64);
            var tableBytes = (long)rows * dim * sizeof(float);
            Console.WriteLine($"checkpoint: {rows:N0} × {dim} {(float64 ? "float64" : "float32")} in {partitions} part(s), {tokens:N0} tokens; " +
                $"written in {clock.Elapsed.TotalSeconds:F1} s; float32 table {tableBytes / 1048576.0:F0} MiB");
            var child = Process.Start(new ProcessStartInfo("dotnet", [typeof(ImportBench).Assembly.Location, "import-child", dir]) { RedirectStandardOutput = true })!;
            var report = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            Console.Write(report);
            if (child.ExitCode != 0) return child.ExitCode;
            var peak = long.Parse(report.Split('\n').First(l => l.StartsWith("peak-bytes ", StringComparison.Ordinal))[11..]);
            Console.WriteLine($"peak RSS / float32 table = {(double)peak / tableBytes:F2}   (goal < 2)");
            BenchFigure.Print("nnlm-import", $"import peak RSS (child process), {rows:N0} x {dim} {(float64 ? "float64" : "float32")} checkpoint",
                peak / 1048576.0, "MiB", "the table as float32", tableBytes / 1048576.0, BenchGoal.Below(2));
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>In the child: the import alone, as ModelStage does it (plan, read with CRCs, write the ONNX model).</summary>
    public static int Child(string dir)
    {
        var baseline = ProcessMemory.RssBytes();
        var clock = Stopwatch.StartNew();
        var layout = HubModelLayout.Of(dir);
        using (var reader = TensorBundleReader.Open(layout.VariablesPrefix))
        {
            var plan = NnlmImport.Plan(layout, reader, tensor: null);
            var read = Stopwatch.StartNew();
            var model = plan.Read(reader, m => Console.WriteLine($"  log: {m}"));
            Console.WriteLine($"table {plan.TableDescription}: read and CRC-checked in {read.Elapsed.TotalSeconds:F2} s");
            var write = Stopwatch.StartNew();
            model.WriteOnnx(Path.Combine(dir, "model.onnx"));
            var external = new FileInfo(Path.Combine(dir, "model.onnx.data")); // a small table is stored inside model.onnx
            Console.WriteLine($"ONNX written in {write.Elapsed.TotalSeconds:F2} s " +
                (external.Exists ? $"({external.Length / 1048576.0:F0} MiB external data)" : $"({new FileInfo(Path.Combine(dir, "model.onnx")).Length / 1048576.0:F0} MiB, no external data)"));
        }
        var peak = ProcessMemory.PeakRssBytes();
        Console.WriteLine($"import: {clock.Elapsed.TotalSeconds:F2} s; RSS at start {baseline / 1048576.0:F0} MiB, peak {peak / 1048576.0:F0} MiB");
        BenchFigure.Print("nnlm-import", "import seconds (read + CRC + ONNX written)", clock.Elapsed.TotalSeconds, "s");
        Console.WriteLine($"peak-bytes {peak}");
        return 0;
    }

    private static void Write(string dir, int rows, int dim, int tokens, int partitions, bool float64)
    {
        Directory.CreateDirectory(Path.Combine(dir, "assets"));
        using (var vocabulary = new StreamWriter(Path.Combine(dir, "assets", "tokens.txt")))
            for (var i = 0; i < tokens; i++) vocabulary.Write($"token{i}\n");
        var writer = new TensorBundleWriter(Path.Combine(dir, "variables", "variables"));
        var random = new Random(1);
        for (var k = 0; k < partitions; k++)
        {
            var partRows = rows / partitions + (k < rows % partitions ? 1 : 0);
            var key = partitions == 1 ? "embeddings/.ATTRIBUTES/VARIABLE_VALUE" : $"module/embeddings/part_{k}";
            var values = new float[(long)partRows * dim];
            for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5);
            if (float64) writer.AddFloat64(key, [partRows, dim], Array.ConvertAll(values, v => (double)v));
            else writer.AddFloat32(key, [partRows, dim], values);
        }
        writer.Finish();
        TensorBundleWriter.WriteSavedModel(Path.Combine(dir, "saved_model.pb"), [], [rows - tokens]);
    }
}
