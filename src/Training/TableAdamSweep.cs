using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// Dense Adam over an embedding table whose gradient is sparse in rows, in ONE pass over memory: for every
/// element, m ← β1·m (+ (1−β1)·g on a touched row), v ← β2·v (+ (1−β2)·g·g), then
/// p ← p + stepSize · m / (√v / √(1−β2^t) + ε). libtorch's ops (<see cref="AdamUpdate"/>'s device path) sweep the
/// table, m and v several times per step; this reads and writes each once (6 × the table's bytes), a block of rows
/// at a time (the block's m and v stay in cache between its two short loops), the rows split across threads. A
/// touched row's gradient is its token gradients summed inside the pass (<see cref="RowGradient"/>), and rows no
/// batch has touched yet are not read at all (see the <c>live</c> parameter).
/// <para>
/// Hand-written with <see cref="Vector{T}"/> because neither library fuses it: TensorPrimitives does one operation
/// per call (a pass each), and TorchSharp 0.107 binds no fused Adam (torch._fused_adam_). bench/nnlm measures the
/// TensorPrimitives and libtorch alternatives beside this.
/// </para>
/// <para>
/// Bit-identical to libtorch's CPU ops (AdamUpdateEquivalenceTests): the same float32 operations in the same order,
/// each rounded once — β1·m, then on a touched row g·(1−β1) added with one rounding where libtorch's index_add_ uses
/// a fused multiply-add (<see cref="Arithmetic.FusedMomentAdd"/>); (g·(1−β2))·g added to β2·v; √v (libtorch's own,
/// <see cref="Arithmetic.Root"/>) divided by √(1−β2^t), plus ε; (stepSize·m) / denom added to p. .NET never contracts
/// a·b+c into an FMA by itself. Which arithmetic libtorch uses depends on the machine and the build, so
/// <see cref="AdamUpdate"/> checks it once against libtorch's ops and uses this pass only where it matches.
/// </para>
/// </summary>
internal static unsafe class TableAdamSweep
{
    /// <summary>The step's constants, each rounded to float32 once, as libtorch rounds a Scalar for a float tensor.</summary>
    internal readonly record struct Coefficients(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
        float SqrtCorrection2, float Eps, float StepSize)
    {
        public static Coefficients Of(double beta1, double beta2, double sqrtCorrection2, double eps, double stepSize) =>
            new((float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)sqrtCorrection2, (float)eps, (float)stepSize);
    }

    /// <summary>How libtorch's square root rounds here (see <see cref="TorchSquareRoot"/>).</summary>
    internal enum SquareRoot
    {
        /// <summary>Correctly rounded (MKL's AVX2 kernel; libtorch without MKL).</summary>
        CorrectlyRounded,
        /// <summary>MKL's SSE kernel, computed in registers (<see cref="TorchSquareRoot.Refined"/>).</summary>
        MklRefined,
        /// <summary>MKL itself, called a block at a time (any other MKL kernel).</summary>
        Mkl,
    }

    /// <summary>How libtorch's CPU kernels round, where builds and CPUs differ.</summary>
    /// <param name="FusedMomentAdd">index_add_ with alpha adds alpha·g with one rounding (an FMA), not two</param>
    internal readonly record struct Arithmetic(SquareRoot Root, bool FusedMomentAdd)
    {
        /// <summary>The candidates, fastest first.</summary>
        public static IEnumerable<Arithmetic> Candidates()
        {
            foreach (var fused in new[] { true, false })
            {
                yield return new(SquareRoot.CorrectlyRounded, fused);
                if (TorchSquareRoot.RefinedAvailable) yield return new(SquareRoot.MklRefined, fused);
                if (TorchSquareRoot.Available) yield return new(SquareRoot.Mkl, fused);
            }
        }
    }

    /// <summary>Elements per block: 16 KB of each of m and v (and MKL's roots), so a block stays in cache between its loops.</summary>
    private const int BlockElements = 4096;

    /// <summary>Rows per parallel work item (at least): long contiguous streams, yet several items per thread.</summary>
    private const long RowsPerChunk = 1 << 13;

    /// <summary>Whether the sweep can update these in place: float32 [rows, dim] and a gradient of int64 ids and [nnz, dim] values, contiguous, in host memory.</summary>
    public static bool Fits(Tensor p, Tensor m, Tensor v, Tensor ids, Tensor values) =>
        p.dim() == 2 && p.shape[1] > 0 && values.dim() == 2 && values.shape[1] == p.shape[1] && ids.dim() == 1
        && ids.shape[0] == values.shape[0] && ids.shape[0] < RowGradient.MaxOccurrences && p.shape[0] <= RowGradient.MaxRows
        && ids.dtype == ScalarType.Int64 && ids.device_type == DeviceType.CPU && ids.is_contiguous()
        && new[] { p, m, v, values }.All(t => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.is_contiguous())
        && m.shape.SequenceEqual(p.shape) && v.shape.SequenceEqual(p.shape);

    /// <summary>One step on tensors that <see cref="Fits"/>.</summary>
    /// <param name="ids">[nnz] int64 the rows of the gradient's values, with repeats (one per token)</param>
    /// <param name="values">[nnz, dim]</param>
    /// <param name="live">see <see cref="Step(float*, float*, float*, long, int, RowGradient, ulong[], in Coefficients, Arithmetic, int)"/></param>
    public static void Step(Tensor p, Tensor m, Tensor v, Tensor ids, Tensor values, ulong[]? live, in Coefficients c,
        Arithmetic arithmetic, int threads)
    {
        int dim = checked((int)p.shape[1]);
        using var gradient = RowGradient.Group(new ReadOnlySpan<long>(Address<long>(ids), checked((int)ids.shape[0])), Address<float>(values), dim, p.shape[0]);
        Step(Address<float>(p), Address<float>(m), Address<float>(v), p.shape[0], dim, gradient, live, c, arithmetic, threads);
    }

    /// <summary>The address of a contiguous host tensor's first element (a one-element span: <c>bytes</c> spans at most 2 GB).</summary>
    private static T* Address<T>(Tensor t) where T : unmanaged
    {
        if (t.numel() == 0) return null;
        using var flat = t.view(-1);
        using var first = flat.narrow(0, 0, 1);
        fixed (byte* b = first.bytes) return (T*)b;   // native memory: the GC never moves it
    }

    /// <param name="p">the table, [rows, dim] row-major</param>
    /// <param name="m">Adam's first moment, same layout</param>
    /// <param name="v">Adam's second moment, same layout</param>
    /// <param name="live">
    /// one bit per row, set where m or v may be nonzero; null: every row. A row whose m and v are +0 (as Adam starts
    /// them) and which has no gradient keeps m = v = +0 and p exactly (p + (stepSize·+0)/ε adds −0: stepSize &lt; 0),
    /// so the sweep skips it: the same bits without touching its memory. The touched rows are marked here.
    /// </param>
    /// <param name="threads">at most this many threads</param>
    public static void Step(float* p, float* m, float* v, long rows, int dim, RowGradient gradient, ulong[]? live,
        in Coefficients c, Arithmetic arithmetic, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if (gradient.Dim != dim) throw new ArgumentException($"The gradient has dim {gradient.Dim}; the table {dim}.", nameof(gradient));
        if (!(c.StepSize < 0)) throw new ArgumentException($"stepSize is {c.StepSize}; Adam's is −lr/(1−β1^t) < 0.", nameof(c));
        if (live != null)
        {
            if (live.LongLength != (rows + 63) / 64) throw new ArgumentException($"live has {live.LongLength} words; {rows:N0} rows need {(rows + 63) / 64}.", nameof(live));
            foreach (long row in gradient.Rows) live[row >> 6] |= 1UL << (int)(row & 63);
        }
        threads = Math.Max(1, threads);
        long chunks = threads == 1 ? 1 : Math.Clamp(rows / RowsPerChunk, threads, 16L * threads);
        chunks = Math.Min(chunks, Math.Max(1, rows));
        if (chunks == 1)
        {
            Sweep(p, m, v, 0, rows, dim, gradient, live, c, arithmetic);
            return;
        }
        nint pp = (nint)p, mp = (nint)m, vp = (nint)v;   // a lambda cannot capture pointers
        var coefficients = c;
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, chunk =>
            Sweep((float*)pp, (float*)mp, (float*)vp, rows * chunk / chunks, rows * (chunk + 1) / chunks, dim, gradient, live,
                coefficients, arithmetic));
    }

    /// <summary>The live rows of [first, end), a block of whole rows at a time: the moments, then the move (and √v).</summary>
    private static void Sweep(float* p, float* m, float* v, long first, long end, int dim, RowGradient gradient, ulong[]? live,
        in Coefficients c, Arithmetic arithmetic)
    {
        long blockRows = Math.Max(1, BlockElements / dim);
        // Mkl: the block's roots; otherwise room for one vector's rare lanes (MklRefined).
        float* scratch = stackalloc float[arithmetic.Root == SquareRoot.Mkl ? (int)(blockRows * dim) : Vector<float>.Count];
        var touched = gradient.Rows;
        int k = touched.BinarySearch(first);
        if (k < 0) k = ~k;
        for (long runStart = NextLive(live, first, end); runStart < end; runStart = NextLive(live, runStart, end))
        {
            long runEnd = NextDead(live, runStart, end);
            for (long start = runStart; start < runEnd; start += blockRows)
            {
                long stop = Math.Min(runEnd, start + blockRows), row = start;
                for (; k < touched.Length && touched[k] < stop; k++)
                {
                    long next = touched[k];
                    if (next > row) Decay(m + row * dim, v + row * dim, (next - row) * dim, c);
                    AddGradient(m + next * dim, v + next * dim, gradient, k, c, arithmetic.FusedMomentAdd);
                    row = next + 1;
                }
                if (stop > row) Decay(m + row * dim, v + row * dim, (stop - row) * dim, c);
                long at = start * dim, n = (stop - start) * dim;
                if (arithmetic.Root == SquareRoot.Mkl) MklRoots(v + at, scratch, n);
                Move(p + at, m + at, v + at, scratch, n, c, arithmetic.Root);
            }
            runStart = runEnd;
        }
    }

    /// <summary>The first live row in [row, end), or end.</summary>
    private static long NextLive(ulong[]? live, long row, long end)
    {
        if (live == null || row >= end) return Math.Min(row, end);
        long word = row >> 6;
        ulong bits = live[word] & (ulong.MaxValue << (int)(row & 63));
        while (bits == 0)
        {
            if (++word << 6 >= end) return end;
            bits = live[word];
        }
        return Math.Min(end, (word << 6) + BitOperations.TrailingZeroCount(bits));
    }

    /// <summary>The first row in [row, end) that is not live, or end.</summary>
    private static long NextDead(ulong[]? live, long row, long end)
    {
        if (live == null) return end;
        long word = row >> 6;
        ulong bits = ~live[word] & (ulong.MaxValue << (int)(row & 63));
        while (bits == 0)
        {
            if (++word << 6 >= end) return end;
            bits = ~live[word];
        }
        return Math.Min(end, (word << 6) + BitOperations.TrailingZeroCount(bits));
    }

    /// <summary>
    /// root = √v by MKL, but for zeros: MKL takes a path 10–40 × slower for them, and they are most of an NNLM table's
    /// v (rows no batch has touched yet), so MKL gets 1 in their place and <see cref="Move"/> uses v itself (√±0 = ±0).
    /// </summary>
    private static void MklRoots(float* v, float* root, long n)
    {
        var one = Vector<float>.One;
        long i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            var vi = Vector.Load(v + i);
            Vector.Store(Vector.ConditionalSelect(Vector.Equals(vi, Vector<float>.Zero), one, vi), root + i);
        }
        for (; i < n; i++) root[i] = v[i] == 0 ? 1 : v[i];
        TorchSquareRoot.Compute(root, root, (int)n);
    }

    /// <summary>Moments of elements with a zero gradient: β1·m and β2·v (dense Adam still moves them).</summary>
    private static void Decay(float* m, float* v, long n, in Coefficients c)
    {
        var beta1 = new Vector<float>(c.Beta1);
        var beta2 = new Vector<float>(c.Beta2);
        long i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Store(Vector.Load(m + i) * beta1, m + i);
            Vector.Store(Vector.Load(v + i) * beta2, v + i);
        }
        for (; i < n; i++)
        {
            m[i] *= c.Beta1;
            v[i] *= c.Beta2;
        }
    }

    /// <summary>
    /// Moments of touched row <paramref name="k"/>: its gradient enters both. The gradient is its values summed from
    /// +0 in the order they came, as libtorch's index_add_ into zeros sums them (the ops path).
    /// </summary>
    private static void AddGradient(float* m, float* v, RowGradient gradient, int k, in Coefficients c, bool fused)
    {
        var beta1 = new Vector<float>(c.Beta1);
        var oneMinusBeta1 = new Vector<float>(c.OneMinusBeta1);
        var beta2 = new Vector<float>(c.Beta2);
        var oneMinusBeta2 = new Vector<float>(c.OneMinusBeta2);
        var occurrences = gradient.Occurrences(k);
        float* values = gradient.Values;
        int dim = gradient.Dim, i = 0;
        for (; i <= dim - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gi = Vector<float>.Zero;
            foreach (int o in occurrences) gi += Vector.Load(values + (long)o * dim + i);
            var decayed = Vector.Load(m + i) * beta1;
            Vector.Store(fused ? Vector.FusedMultiplyAdd(gi, oneMinusBeta1, decayed) : decayed + gi * oneMinusBeta1, m + i);
            Vector.Store(Vector.Load(v + i) * beta2 + gi * oneMinusBeta2 * gi, v + i);
        }
        for (; i < dim; i++)
        {
            float gi = 0;
            foreach (int o in occurrences) gi += values[(long)o * dim + i];
            float decayed = m[i] * c.Beta1;
            m[i] = fused ? MathF.FusedMultiplyAdd(gi, c.OneMinusBeta1, decayed) : decayed + gi * c.OneMinusBeta1;
            v[i] = v[i] * c.Beta2 + gi * c.OneMinusBeta2 * gi;
        }
    }

    /// <summary>p += (stepSize·m) / (√v / √(1−β2^t) + ε), √v as libtorch's sqrt gives it.</summary>
    /// <param name="scratch">Mkl: the roots MklRoots made; MklRefined: room for one vector</param>
    private static void Move(float* p, float* m, float* v, float* scratch, long n, in Coefficients c, SquareRoot kind)
    {
        var sqrtCorrection2 = new Vector<float>(c.SqrtCorrection2);
        var eps = new Vector<float>(c.Eps);
        var stepSize = new Vector<float>(c.StepSize);
        long i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            var vi = Vector.Load(v + i);
            var root = kind switch
            {
                SquareRoot.CorrectlyRounded => Vector.SquareRoot(vi),
                SquareRoot.MklRefined => TorchSquareRoot.Refined(vi, scratch),
                _ => Vector.ConditionalSelect(Vector.Equals(vi, Vector<float>.Zero), vi, Vector.Load(scratch + i)),
            };
            var denom = root / sqrtCorrection2 + eps;
            Vector.Store(Vector.Load(p + i) + stepSize * Vector.Load(m + i) / denom, p + i);
        }
        for (; i < n; i++)
        {
            float root = kind switch
            {
                SquareRoot.CorrectlyRounded => MathF.Sqrt(v[i]),
                SquareRoot.MklRefined => TorchSquareRoot.Refined(new Vector<float>(v[i]), scratch)[0],
                _ => v[i] == 0 ? v[i] : scratch[i],
            };
            p[i] += c.StepSize * m[i] / (root / c.SqrtCorrection2 + c.Eps);
        }
    }
}
