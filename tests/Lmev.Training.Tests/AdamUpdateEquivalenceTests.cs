using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Lmev.Training.Tests;

/// <summary>
/// The fused table pass (<see cref="TableAdamSweep"/>) against the update it replaced (<see cref="MainAdamUpdate"/>,
/// main's code verbatim) and against the libtorch-ops path that CUDA runs (the same ops, here on the CPU): 50 steps
/// on a small table with a sparse gradient (an EmbeddingBag's, repeated ids, most rows untouched in a step), then
/// every weight and both moments compared BIT FOR BIT — no tolerance. There is nothing to tolerate: each element
/// goes through the same float32 operations in the same order, each rounded once (the fused pass writes the one
/// fused multiply-add libtorch's index_add_ does), and no sum is reordered (duplicate rows are summed by the same
/// libtorch call in every variant; each element's update depends on that element alone, so the split across
/// threads cannot change a bit).
/// </summary>
public class AdamUpdateEquivalenceTests(ITestOutputHelper output)
{
    private const int Rows = 1000, Steps = 50, BagsPerStep = 8, TokensPerStep = 96;
    private const double Lr = 1e-3, Eps = 1e-7;   // the study's (Keras' epsilon)

    [SkippableTheory]
    [InlineData(128, 2, false)]   // the NNLM modules' dim: whole vectors, the rows split between two threads
    [InlineData(50, 2, false)]    // nnlm-*-dim50: every row ends in a partial vector
    [InlineData(3, 1, false)]     // shorter than a vector, one thread
    [InlineData(50, 2, true)]     // MKL called for √v, as on a CPU whose MKL kernel is not the one Refined reproduces
    public void Fifty_steps_of_the_fused_pass_equal_the_old_update_bit_for_bit(int dim, int threads, bool mklCalled)
    {
        TorchRuntime.EnsureLoaded();
        Skip.If(mklCalled && !TorchSquareRoot.Available, "this libtorch has no MKL (vmsSqrt) to call");
        int before = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            var rng = new SplitMix64((ulong)(dim * 1000 + threads));
            var initial = Enumerable.Range(0, Rows * dim).Select(_ => (float)(ToyData.Uniform(rng) - 0.5)).ToArray();
            var (oldBag, oldTable) = Bag(initial, dim);
            var (fusedBag, fusedTable) = Bag(initial, dim);
            var (opsBag, opsTable) = Bag(initial, dim);
            using var old = new MainAdamUpdate([oldTable], Lr, Eps);
            using var probe = new AdamUpdate([], Lr, Eps);
            var torchArithmetic = probe.ArithmeticOfTorch(dim);
            using var fused = new AdamUpdate([fusedTable], Lr, Eps, AdamUpdate.SparseTableKernel.FusedOnCpu)
            {
                Arithmetic = mklCalled && torchArithmetic is { } a ? a with { Root = TableAdamSweep.SquareRoot.Mkl } : null,
            };
            using var ops = new AdamUpdate([opsTable], Lr, Eps, AdamUpdate.SparseTableKernel.TorchOps);
            var touchedOnce = new HashSet<long>();
            for (int step = 1; step <= Steps; step++)
            {
                // A few hot rows repeat within a step (duplicates are summed); the rest are spread over the table.
                var ids = Enumerable.Range(0, TokensPerStep)
                    .Select(i => i % 4 == 0 ? (long)rng.NextBelow(8) : (long)rng.NextBelow(Rows)).ToArray();
                touchedOnce.UnionWith(ids);
                var offsets = Enumerable.Range(0, BagsPerStep).Select(b => (long)(b * TokensPerStep / BagsPerStep)).ToArray();
                var weights = Enumerable.Range(0, BagsPerStep * dim).Select(_ => (float)(ToyData.Uniform(rng) * 2 - 1)).ToArray();
                Step(oldBag, ids, offsets, weights, dim, old.ZeroGrad, old.Step);
                Step(fusedBag, ids, offsets, weights, dim, fused.ZeroGrad, fused.Step);
                Step(opsBag, ids, offsets, weights, dim, ops.ZeroGrad, ops.Step);
            }
            Assert.True(fusedTable.grad!.is_sparse);
            // The fused pass ran: libtorch's arithmetic on this machine was found among the sweep's (else AdamUpdate
            // would have fallen back to libtorch's ops, and this test would compare the old code with itself).
            output.WriteLine($"libtorch's arithmetic here, as the fused pass reproduces it: {torchArithmetic?.ToString() ?? "none found"}" +
                             (mklCalled ? "; MKL called for the roots" : ""));
            Assert.NotNull(torchArithmetic);
            Assert.True(touchedOnce.Count < Rows, "some rows must never have a gradient (they move by momentum alone)");

            var (oldM, oldV) = old.MomentsOf(0);
            var (fusedM, fusedV) = fused.MomentsOf(0);
            var (opsM, opsV) = ops.MomentsOf(0);
            var failures = new List<string>();
            foreach (var (name, reference, candidate) in new[]
                     {
                         ("fused table", oldTable, fusedTable), ("fused m", oldM, fusedM), ("fused v", oldV, fusedV),
                         ("torch-ops table", oldTable, opsTable), ("torch-ops m", oldM, opsM), ("torch-ops v", oldV, opsV),
                     })
            {
                var (differing, largest) = Compare(reference, candidate);
                output.WriteLine($"dim {dim}, {threads} thread(s), {Steps} steps: {name}: {differing} of {Rows * dim} values differ " +
                                 $"from the old update's (largest difference {largest:G3})");
                if (differing > 0)
                    failures.Add($"{name}: {differing} of {Rows * dim} values differ from the old update's after {Steps} steps " +
                                 $"(dim {dim}, {threads} threads; largest difference {largest:G3}); expected bit-identical");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            // Not vacuous: the table moved everywhere, including rows never touched.
            var moved = fusedTable.data<float>().ToArray();
            int untouched = Enumerable.Range(0, Rows).First(r => !touchedOnce.Contains(r));
            Assert.Equal(initial[untouched * dim], moved[untouched * dim]);   // never touched, and m starts at 0: still in place
            Assert.NotEqual(initial[0], moved[0]);
            oldBag.Dispose(); fusedBag.Dispose(); opsBag.Dispose();
        }
        finally { torch.set_num_threads(before); }
    }

    [SkippableFact]
    public void Refined_square_roots_are_mkls_bit_for_bit_where_libtorch_uses_them()
    {
        TorchRuntime.EnsureLoaded();
        using var probe = new AdamUpdate([], Lr, Eps);
        Skip.IfNot(probe.ArithmeticOfTorch(128)?.Root == TableAdamSweep.SquareRoot.MklRefined,
            $"libtorch's square root here is not MKL's SSE kernel (found {probe.ArithmeticOfTorch(128)?.ToString() ?? "none"})");
        // Every exponent, the fast path's edges (bits 0x00800000 and 0x7f7ff000), and the lanes left to MKL.
        var rng = new SplitMix64(77);
        var values = new List<float> { 0f, -0f, float.Epsilon, 1e-40f, 1.17549435e-38f, float.MaxValue, float.PositiveInfinity, float.NaN, -1f, -1e-30f,
            BitConverter.Int32BitsToSingle(0x7f7ff000), BitConverter.Int32BitsToSingle(0x7f7ff001), BitConverter.Int32BitsToSingle(0x00800000) };
        for (int i = 0; i < 1 << 20; i++)
            values.Add(BitConverter.Int32BitsToSingle((int)(rng.NextBelow(0x7f800000))));   // every positive finite bit pattern alike
        var x = values.ToArray();
        var mkl = new float[x.Length];
        var refined = new float[x.Length];
        int differing = 0;
        unsafe
        {
            fixed (float* px = x, pm = mkl, pr = refined)
            {
                TorchSquareRoot.Compute(px, pm, x.Length);
                float* spill = stackalloc float[System.Numerics.Vector<float>.Count];
                int n = x.Length - x.Length % System.Numerics.Vector<float>.Count;
                for (int i = 0; i < n; i += System.Numerics.Vector<float>.Count)
                    System.Numerics.Vector.Store(TorchSquareRoot.Refined(System.Numerics.Vector.Load(px + i), spill), pr + i);
                for (int i = n; i < x.Length; i++) pr[i] = TorchSquareRoot.Refined(new System.Numerics.Vector<float>(px[i]), spill)[0];
            }
        }
        for (int i = 0; i < x.Length; i++)
            if (BitConverter.SingleToInt32Bits(mkl[i]) != BitConverter.SingleToInt32Bits(refined[i]) && !(float.IsNaN(mkl[i]) && float.IsNaN(refined[i])))
            {
                if (differing++ < 5) output.WriteLine($"x = {x[i]:R} (0x{BitConverter.SingleToInt32Bits(x[i]):x8}): MKL {mkl[i]:R}, Refined {refined[i]:R}");
            }
        output.WriteLine($"{x.Length:N0} values: {differing} differ");
        Assert.Equal(0, differing);
    }

    [Fact]
    public void A_row_touched_once_keeps_moving_afterwards()
    {
        // Dense Adam: after its one gradient, row 5's m decays but is not zero, so each later step moves it again.
        TorchRuntime.EnsureLoaded();
        const int dim = 16;
        var (bag, table) = Bag(new float[40 * dim], dim);
        using var adam = new AdamUpdate([table], 1e-2, Eps, AdamUpdate.SparseTableKernel.FusedOnCpu);
        var history = new List<float>();
        for (int step = 0; step < 4; step++)
        {
            long[] ids = step == 0 ? [5] : [30];
            Step(bag, ids, [0], Enumerable.Repeat(1f, dim).ToArray(), dim, adam.ZeroGrad, adam.Step);
            history.Add(table.data<float>()[5 * dim]);
        }
        for (int i = 1; i < history.Count; i++) Assert.True(history[i] < history[i - 1], string.Join(", ", history));
        Assert.Equal(0f, table.data<float>()[7 * dim]);   // never touched: m stays 0, so the row stays
        bag.Dispose();
    }

    private static void Step(EmbeddingBag bag, long[] ids, long[] offsets, float[] weights, int dim, Action zeroGrad, Action step)
    {
        using var scope = torch.NewDisposeScope();
        zeroGrad();
        var pooled = bag.forward(torch.tensor(ids), torch.tensor(offsets), null!);            // [bags, dim]
        (pooled * torch.tensor(weights, [offsets.Length, dim])).sum().backward();
        step();
    }

    private static (EmbeddingBag Bag, Parameter Table) Bag(float[] values, int dim)
    {
        var bag = nn.EmbeddingBag(1, dim, mode: EmbeddingBagMode.Sum, sparse: true);
        bag.weight = new Parameter(torch.tensor(values, [values.Length / dim, dim]), requires_grad: true);
        return (bag, bag.weight!);
    }

    /// <returns>how many values differ in their bits, and the largest absolute difference</returns>
    private static (int Differing, double Largest) Compare(Tensor reference, Tensor candidate)
    {
        float[] a = reference.data<float>().ToArray(), b = candidate.data<float>().ToArray();
        int differing = 0;
        double largest = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i])) continue;
            differing++;
            largest = Math.Max(largest, Math.Abs((double)a[i] - b[i]));
        }
        return (differing, largest);
    }
}
