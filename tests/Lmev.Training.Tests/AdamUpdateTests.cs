using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lmev.Training.Tests;

public class AdamUpdateTests
{
    private const double Lr = 1e-2, Eps = 1e-7, Beta1 = 0.9, Beta2 = 0.999;

    [Fact]
    public void The_in_place_update_is_the_adam_formula()
    {
        TorchRuntime.EnsureLoaded();
        const int n = 12;
        var p0 = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i + 1)).ToArray();
        using var p = new Parameter(torch.tensor(p0, [3, 4]), requires_grad: true);
        using var adam = new AdamUpdate([p], Lr, Eps);
        double[] expected = p0.Select(x => (double)x).ToArray(), m = new double[n], v = new double[n];
        for (int t = 1; t <= 4; t++)
        {
            // step 3 has a zero gradient for half the values: they still move (momentum), as in dense Adam
            var g = Enumerable.Range(0, n).Select(i => t == 3 && i % 2 == 0 ? 0f : (float)Math.Cos(3 * i + t)).ToArray();
            using (var scope = torch.NewDisposeScope())
            {
                adam.ZeroGrad();
                p.grad = torch.tensor(g, [3, 4]);
                adam.Step();
            }
            for (int i = 0; i < n; i++)
            {
                m[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
                v[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(Beta1, t)), vHat = v[i] / (1 - Math.Pow(Beta2, t));
                expected[i] -= Lr * mHat / (Math.Sqrt(vHat) + Eps);   // Kingma and Ba, Algorithm 1
            }
        }
        var actual = p.data<float>().ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], actual[i], 1e-6);
    }

    [Fact]
    public void A_sparse_gradient_gets_the_dense_update_every_row_moves()
    {
        TorchRuntime.EnsureLoaded();
        const int rows = 10, dim = 3;
        var initial = Enumerable.Range(0, rows * dim).Select(i => (float)Math.Sin(0.7 * i)).ToArray();
        var (dense, denseTable) = Bag(initial, rows, dim, sparse: false);
        var (sparse, sparseTable) = Bag(initial, rows, dim, sparse: true);
        using var denseAdam = new AdamUpdate([denseTable], Lr, Eps);
        using var sparseAdam = new AdamUpdate([sparseTable], Lr, Eps);
        long[][] batches = [[1, 4, 4, 9, 1], [2, 2, 3], [9, 0, 4, 4, 4]];   // repeats; rows 5-8 never touched
        using var weights = torch.tensor(Enumerable.Range(0, 2 * dim).Select(i => (float)Math.Cos(i)).ToArray(), [2, dim]);
        foreach (var ids in batches)
            foreach (var (bag, adam) in new[] { (dense, denseAdam), (sparse, sparseAdam) })
            {
                using var scope = torch.NewDisposeScope();
                adam.ZeroGrad();
                (bag.forward(torch.tensor(ids), torch.tensor(new long[] { 0, 2 }), null!) * weights).sum().backward();
                adam.Step();
            }
        Assert.True(sparseTable.grad!.is_sparse);
        Assert.False(denseTable.grad!.is_sparse);
        float[] a = denseTable.data<float>().ToArray(), b = sparseTable.data<float>().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-6);
        // Row 3 was touched by batch 2 only, yet moved again in batch 3 (its moments decayed, not frozen).
        for (int d = 0; d < dim; d++) Assert.NotEqual(initial[3 * dim + d], b[3 * dim + d]);
        for (int i = 5 * dim; i < 9 * dim; i++) Assert.Equal(initial[i], b[i]);
        dense.Dispose(); sparse.Dispose();
    }

    private static (EmbeddingBag Bag, Parameter Table) Bag(float[] values, int rows, int dim, bool sparse)
    {
        var bag = nn.EmbeddingBag(1, dim, mode: EmbeddingBagMode.Sum, sparse: sparse);
        bag.weight = new Parameter(torch.tensor(values, [rows, dim]), requires_grad: true);
        return (bag, bag.weight!);
    }
}
