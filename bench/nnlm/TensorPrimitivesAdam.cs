using System.Numerics.Tensors;
using Lmev.Training;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// The library alternative to TableAdamSweep, measured beside it: the same blocked sweep (a block of rows at a time,
/// its share of rows per thread) with one TensorPrimitives call per operation, as that library offers them. Its
/// arithmetic is the update's but for the square root (the correctly rounded one, not MKL's), so it is timed, not used.
/// </summary>
internal static unsafe class TensorPrimitivesAdam
{
    private const int BlockElements = 4096;

    public static void Step(float* p, float* m, float* v, long rows, int dim, RowGradient gradient,
        TableAdamSweep.Coefficients c, int threads)
    {
        long chunks = Math.Max(1, Math.Min(rows, 16L * threads));
        nint pp = (nint)p, mp = (nint)m, vp = (nint)v;
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, chunk =>
        {
            long first = rows * chunk / chunks, end = rows * (chunk + 1) / chunks, blockRows = Math.Max(1, BlockElements / dim);
            var root = new float[blockRows * dim];
            var move = new float[blockRows * dim];
            var g = new float[dim];
            var touched = gradient.Rows;
            int k = touched.BinarySearch(first);
            if (k < 0) k = ~k;
            for (long start = first; start < end; start += blockRows)
            {
                long stop = Math.Min(end, start + blockRows);
                int n = (int)((stop - start) * dim);
                var pB = new Span<float>((float*)pp + start * dim, n);
                var mB = new Span<float>((float*)mp + start * dim, n);
                var vB = new Span<float>((float*)vp + start * dim, n);
                TensorPrimitives.Multiply(mB, c.Beta1, mB);
                TensorPrimitives.Multiply(vB, c.Beta2, vB);
                for (; k < touched.Length && touched[k] < stop; k++)
                {
                    Array.Clear(g);   // the row's values summed from +0 in their order, as index_add_ into zeros does
                    foreach (int o in gradient.Occurrences(k))
                        TensorPrimitives.Add(g, new ReadOnlySpan<float>(gradient.Values + (long)o * dim, dim), g);
                    int at = (int)((touched[k] - start) * dim);
                    var square = move.AsSpan(0, dim);
                    TensorPrimitives.FusedMultiplyAdd(g, c.OneMinusBeta1, mB.Slice(at, dim), mB.Slice(at, dim));
                    TensorPrimitives.Multiply(g, c.OneMinusBeta2, square);
                    TensorPrimitives.Multiply(square, g, square);
                    TensorPrimitives.Add(vB.Slice(at, dim), square, vB.Slice(at, dim));
                }
                var r = root.AsSpan(0, n);
                var d = move.AsSpan(0, n);
                TensorPrimitives.Sqrt(vB, r);
                TensorPrimitives.Divide(r, c.SqrtCorrection2, r);
                TensorPrimitives.Add(r, c.Eps, r);
                TensorPrimitives.Multiply(mB, c.StepSize, d);
                TensorPrimitives.Divide(d, r, d);
                TensorPrimitives.Add(pB, d, pB);
            }
        });
    }
}
