// bench/train: training throughput of the study's MLP through the real Trainer loop, on random
// data, against the same process's dense matmul rate. Prints figures; not a test.
//
//   bench/train/run.sh [--threads N] [--batches B] [--cuda]
//
// samples/s: rows per epoch / seconds of the fastest warm epoch (epochs 2..3; the machine may be
// shared). The torch.mm reference is the best of several 1-second trials, taken before and
// after each model; the fraction uses the larger. Achieved GFLOP/s counts the three
// matmuls forward and backward: 6 × (dim·h + h·h + h·classes) per sample (bias, ReLU, dropout,
// softmax and Adam not counted). The reference is torch.mm of two 2048×2048 float32 matrices
// (2·2048³ flop each).
using System.Diagnostics;
using Lmev.Bench;
using Lmev.Training;
using TorchSharp;
using static TorchSharp.torch;

int threads = Arg("--threads", 0), batches = Arg("--batches", 8);
bool cuda = args.Contains("--cuda");
const int Classes = 1588, Batch = 4096, Hidden = 512;

TorchRuntime.EnsureLoaded();
if (threads > 0) torch.set_num_threads(threads);
var device = TorchRuntime.SelectDevice(cuda);
Console.WriteLine($"device {TorchRuntime.DeviceName(device)}; libtorch threads {torch.get_num_threads()}; " +
                  $"{Environment.ProcessorCount} logical CPUs; load average {LoadAverage()}");


foreach (int dim in new[] { 50, 128 })
{
    int rows = Batch * batches;
    var rng = new SplitMix64((ulong)dim);
    var x = new float[rows * dim];
    for (int i = 0; i < x.Length; i++) x[i] = (float)((rng.Next() >> 11) * (1.0 / (1UL << 53)) * 2 - 1);
    var y = new int[rows];
    for (int i = 0; i < rows; i++) y[i] = (int)rng.NextBelow(Classes);
    var settings = new MlpSettings { Hidden = Hidden, BatchSize = Batch, Epochs = 3 };
    double mmBefore = MatmulGflops(device);
    using var model = Trainer.Train(new FeatureMatrix(x, rows, dim), y, null, null, Classes, settings, seed: 1, new TrainerOptions(threads, cuda));
    double mm = Math.Max(mmBefore, MatmulGflops(device));
    var warm = model.Epochs.Skip(1).MinBy(e => e.Seconds)!;
    double samples = rows / warm.Seconds;
    long macs = ((Mlp)model.Module).MatmulParameters;
    double gflops = samples * 6 * macs / 1e9;
    Console.WriteLine($"dim {dim,3}, {Classes} classes, batch {Batch}, hidden {Hidden}: {samples,9:F0} samples/s " +
                      $"({warm.Seconds:F2} s for {rows} rows; first epoch {model.Epochs[0].Seconds:F2} s); " +
                      $"{gflops:F1} GFLOP/s = {gflops / mm:P0} of torch.mm 2048x2048 ({mm:F1} GFLOP/s)");
    BenchFigure.Print("train", $"MLP dim {dim} training, batch {Batch}, {rows} rows/epoch (fastest warm epoch)", samples, "samples/s");
    BenchFigure.Print("train", $"MLP dim {dim} training, achieved", gflops, "GFLOP/s", "torch.mm 2048x2048 float32, same process", mm);
}

static double MatmulGflops(Device device)
{
    const int n = 2048;
    using var scope = torch.NewDisposeScope();
    var a = torch.randn(n, n, device: device);
    var b = torch.randn(n, n, device: device);
    for (int i = 0; i < 3; i++) a.mm(b).Dispose();
    double best = 0;
    for (int trial = 0; trial < 4; trial++)
    {
        int iterations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 1 || iterations < 3)
        {
            using var c = a.mm(b);
            if (device.type == DeviceType.CUDA) c.cpu().Dispose();   // wait for the kernel
            iterations++;
        }
        best = Math.Max(best, iterations * 2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9);
    }
    return best;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
