using System.Diagnostics;
using Lmev.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// The fine-tuned table's Adam update alone, per step, on a table of the bench's size with the sparse gradient of one
/// real batch (an EmbeddingBag's backward over its titles' tokens): AdamUpdate as training runs it (the fused pass),
/// AdamUpdate with libtorch's ops (the CUDA path, and the CPU's before the fused pass), and the same sweep written
/// with TensorPrimitives. Each is timed over <c>steps</c> steps after one untimed step whose gradient has every row
/// (the moments' first touch; and the fused pass then has no row it may skip, so this is the dense worst case, every
/// row of the table swept), and reported by its median step; its bandwidth counts what one pass must move: the
/// table, m and v read and written (6 × the table's bytes; the batch's gradient is a few MB).
/// </summary>
internal static unsafe class TableUpdateBench
{
    /// <param name="CpuSecondsPerStep">the process's CPU time (all threads) per step, median: on a shared machine, the work</param>
    public sealed record Result(string Kernel, double SecondsPerStep, double BytesPerSecond, double CpuSecondsPerStep = double.NaN);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds, Nanoseconds; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static double ProcessCpuSeconds() =>
        OperatingSystem.IsLinux() && ClockGetTime(2, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : double.NaN;

    /// <param name="liveIds">the training set's ids: a last run of the fused pass has only their rows live (as in training, where
    /// the others never get a gradient), its bandwidth counted on those rows' bytes</param>
    public static List<Result> Run(long rows, int dim, long[] ids, long[] offsets, int steps, int threads, long[] liveIds, bool fusedOnly = false)
    {
        const double Lr = 1e-3, Eps = 1e-7;
        double tableBytes = (double)rows * dim * sizeof(float);
        var results = new List<Result>();
        using var bag = nn.EmbeddingBag(1, dim, mode: EmbeddingBagMode.Sum, sparse: true);
        using (var values = torch.rand(rows, dim) - 0.5)
            bag.weight = new Parameter(values, requires_grad: true);
        var table = bag.weight!;
        var everyRow = new long[rows];
        for (long r = 0; r < rows; r++) everyRow[r] = r;
        // table.grad ← the sparse gradient of bags over these ids
        void Gradient(long[] bagIds, long[] bagOffsets)
        {
            using var scope = torch.NewDisposeScope();
            table.grad = null;
            var pooled = bag.forward(torch.tensor(bagIds), torch.tensor(bagOffsets), null!);            // [bags, dim]
            (pooled * torch.rand(bagOffsets.Length, dim)).sum().backward();
        }
        Result Time(string kernel, Action step, long[]? first = null)
        {
            // Untimed: a step whose gradient has every row (the moments' first touch; no row left for the sweep to skip).
            Gradient(first ?? everyRow, [0]);
            step();
            Gradient(ids, offsets);
            var seconds = new double[steps];
            var cpu = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                double cpuStart = ProcessCpuSeconds();
                var clock = Stopwatch.StartNew();
                step();
                seconds[i] = clock.Elapsed.TotalSeconds;
                cpu[i] = ProcessCpuSeconds() - cpuStart;
            }
            Array.Sort(seconds);
            Array.Sort(cpu);
            double median = seconds[steps / 2];
            return new Result(kernel, median, 6 * tableBytes / median, cpu[steps / 2]);
        }
        foreach (var (kernel, name) in new[]
                 {
                     (AdamUpdate.SparseTableKernel.FusedOnCpu, "AdamUpdate, fused pass"),
                     (AdamUpdate.SparseTableKernel.TorchOps, "AdamUpdate, libtorch ops (CUDA path; CPU before)"),
                 })
        {
            if (fusedOnly && kernel != AdamUpdate.SparseTableKernel.FusedOnCpu) continue;
            using var adam = new AdamUpdate([table], Lr, Eps, kernel);
            var result = Time(name, () => { using var scope = torch.NewDisposeScope(); adam.Step(); });
            if (kernel == AdamUpdate.SparseTableKernel.FusedOnCpu)
                result = result with
                {
                    Kernel = adam.ArithmeticOfTorch(dim) is { } a
                        ? $"{name} (Vector<T>; sqrt {a.Root}, moment add {(a.FusedMomentAdd ? "fused" : "rounded twice")})"
                        : "AdamUpdate: no fused pass here (libtorch's arithmetic not matched): libtorch ops",
                };
            results.Add(result);
        }
        // The fused pass as training runs it: only the rows the training set uses are live (their bytes are what it moves).
        using (var adam = new AdamUpdate([table], Lr, Eps))
        {
            long live = liveIds.Distinct().LongCount();
            var result = Time($"AdamUpdate, fused pass, live rows only ({live:N0} = {100.0 * live / rows:F1} % of the table's, scattered)",
                () => { using var scope = torch.NewDisposeScope(); adam.Step(); }, liveIds);
            results.Add(result with { BytesPerSecond = result.BytesPerSecond * live / rows });
        }
        if (fusedOnly) return results;
        // TensorPrimitives: the same grouping of the gradient's rows, then its sweep (every row, as the others here).
        using var m = torch.zeros_like(table);
        using var v = torch.zeros_like(table);
        long t = 0;
        results.Add(Time("TensorPrimitives, one call per operation (bench only)", () =>
        {
            using var scope = torch.NewDisposeScope();
            t++;
            var grad = table.grad!;
            Tensor gradIds = grad.SparseIndices.select(0, 0), gradValues = grad.SparseValues;
            using var grouped = RowGradient.Group(new ReadOnlySpan<long>(Address<long>(gradIds), (int)gradIds.shape[0]), Address<float>(gradValues), dim, rows);
            var c = TableAdamSweep.Coefficients.Of(0.9, 0.999, Math.Sqrt(1 - Math.Pow(0.999, t)), Eps, -Lr / (1 - Math.Pow(0.9, t)));
            using (torch.no_grad())
                TensorPrimitivesAdam.Step(Address<float>(table), Address<float>(m), Address<float>(v), rows, dim, grouped, c, threads);
        }));
        return results;
    }

    private static T* Address<T>(Tensor t) where T : unmanaged
    {
        using var flat = t.view(-1);
        using var first = flat.narrow(0, 0, 1);
        fixed (byte* b = first.bytes) return (T*)b;
    }
}
