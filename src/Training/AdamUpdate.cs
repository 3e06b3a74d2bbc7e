using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// Adam (Kingma and Ba, 2015) with torch.optim.Adam's update rule: m ← β1·m + (1−β1)·g,
/// v ← β2·v + (1−β2)·g², p ← p − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε).
/// Written here rather than using TorchSharp's Adam because its step passes short-lived implicit
/// Scalars to native calls; under GC pressure a finaliser can free one mid-call, and libtorch then
/// fails at random with "Exception raised from toFloat … Expected false to be true" (seen on the
/// real-data test). Every Scalar here is owned by a using and outlives the call that reads it.
/// <para>
/// Memory: beyond the parameters and their gradients, only m and v (what dense Adam needs). Every
/// update is in place; libtorch's ops make one temporary, √v/√(1−β2^t) + ε, a slice of
/// <see cref="SliceElements"/> at a time, so a 500 MB embedding table never gets a 500 MB
/// temporary (the fused pass makes none). <see cref="ZeroGrad"/> drops the gradients (set to none,
/// as torch's zero_grad does by default) rather than zeroing them, so backward hands over its
/// gradient instead of adding it into a second full-size buffer.
/// </para>
/// <para>
/// A sparse gradient (an EmbeddingBag with sparse: true: only the rows a batch touched) gets the
/// same dense update, not a lazy one: it is the dense gradient with zeros elsewhere, so every row's
/// m and v still decay and every row still moves, as under Keras' dense Adam. Duplicate rows are
/// summed first (g² must be of the summed gradient); only the order in which a row's token gradients
/// are summed may differ from a dense backward's. On the CPU the table, m and v are then updated in
/// one pass over memory (<see cref="TableAdamSweep"/>), which gives the bits libtorch's ops give: it
/// is used only once a step on a small table has shown that it does on this machine
/// (<see cref="ArithmeticOfTorch"/>). Otherwise, and on another device (CUDA, where the update stays on
/// the device), libtorch's ops: m and v scaled whole, the touched rows' (1−β1)·g and (1−β2)·g·g
/// added, then the move.
/// </para>
/// </summary>
public sealed class AdamUpdate : IDisposable
{
    /// <summary>Elements per slice of the final pass (4 MB of float32: one slice's temporary).</summary>
    internal const long SliceElements = 1 << 20;

    private const double Beta1 = 0.9, Beta2 = 0.999;
    private readonly (TorchSharp.Modules.Parameter Param, Tensor M, Tensor V)[] _state;
    private readonly double _lr, _eps;
    private readonly SparseTableKernel _kernel;
    private readonly Scalar _beta1 = Beta1, _oneMinusBeta1 = 1 - Beta1, _beta2 = Beta2, _oneMinusBeta2 = 1 - Beta2, _one = 1.0;
    private long _step;
    /// <summary>Per parameter, the rows whose m or v may be nonzero (see <see cref="TableAdamSweep.Step(float*, float*, float*, long, int, RowGradient, ulong[], in TableAdamSweep.Coefficients, TableAdamSweep.Arithmetic, int)"/>), while only the sweep has updated it.</summary>
    private readonly ulong[]?[] _live;
    private readonly bool[] _liveKnown;

    /// <summary>Per table width, the sweep's arithmetic that reproduced libtorch's ops (null: none did); found once per process.</summary>
    private static readonly ConcurrentDictionary<long, TableAdamSweep.Arithmetic?> TorchArithmetic = new();

    /// <summary>How a parameter with a sparse gradient (the table) is updated.</summary>
    internal enum SparseTableKernel
    {
        /// <summary>One fused pass (<see cref="TableAdamSweep"/>) for a CPU float32 table; libtorch's ops elsewhere.</summary>
        FusedOnCpu,
        /// <summary>libtorch's ops on every device (the CUDA path; before the fused pass, the CPU's too).</summary>
        TorchOps,
    }

    public AdamUpdate(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double eps)
        : this(parameters, lr, eps, SparseTableKernel.FusedOnCpu) { }

    internal AdamUpdate(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double eps, SparseTableKernel kernel)
    {
        _lr = lr;
        _eps = eps;
        _kernel = kernel;
        using var _ = torch.NewDisposeScope();
        _state = parameters.Select(p => (p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToArray();
        _live = new ulong[]?[_state.Length];
        _liveKnown = Enumerable.Repeat(true, _state.Length).ToArray();
    }

    /// <summary>The fused pass's arithmetic, when a test chooses it instead of <see cref="ArithmeticOfTorch"/>.</summary>
    internal TableAdamSweep.Arithmetic? Arithmetic { get; init; }

    /// <summary>Adam's m and v of the <paramref name="parameter"/>-th parameter, in the order given.</summary>
    internal (Tensor M, Tensor V) MomentsOf(int parameter) => (_state[parameter].M, _state[parameter].V);

    /// <summary>
    /// The rows of <paramref name="parameter"/> (a table the fused pass alone has updated) that may differ from their
    /// values when this optimiser was made, one bit a row (the others had no gradient yet, so their m and v are +0 and
    /// every step left them exactly as they were); null when not known: another parameter, or libtorch's ops ran. Still
    /// answers after <see cref="Dispose"/>. The array is the optimiser's own: read it, do not keep it across steps.
    /// </summary>
    internal ulong[]? ChangedRows(Tensor parameter)
    {
        for (int i = 0; i < _state.Length; i++)
            if (_liveKnown[i] && _live[i] is { } live && SameStorage(_state[i].Param, parameter)) return live;
        return null;
    }

    private static bool SameStorage(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.device_type == DeviceType.CPU && b.device_type == DeviceType.CPU && a.numel() > 0
        && Address(a) == Address(b);

    private static unsafe nint Address(Tensor t)
    {
        using var flat = t.view(-1);
        using var first = flat.narrow(0, 0, 1);
        fixed (byte* b = first.bytes) return (nint)b;
    }

    /// <summary>Drops every gradient (the next backward creates them afresh).</summary>
    public void ZeroGrad()
    {
        foreach (var (p, _, _) in _state) p.grad = null;
    }

    /// <summary>One update from the current gradients; call inside the batch's dispose scope.</summary>
    public void Step()
    {
        _step++;
        var correction1 = 1 - Math.Pow(Beta1, _step);
        var correction2 = 1 - Math.Pow(Beta2, _step);
        using Scalar sqrtCorrection2 = Math.Sqrt(correction2), eps = _eps, stepSize = -_lr / correction1;
        using (torch.no_grad())
        {
            for (int i = 0; i < _state.Length; i++)
            {
                var (p, m, v) = _state[i];
                var g = p.grad;
                if (g is null) continue;
                if (g.is_sparse)
                {
                    Tensor ids = g.SparseIndices.select(0, 0), values = g.SparseValues;   // [nnz], [nnz, dim]: a row per token
                    if (_kernel == SparseTableKernel.FusedOnCpu && TableAdamSweep.Fits(p, m, v, ids, values)
                        && (Arithmetic ?? ArithmeticOfTorch(p.shape[1])) is { } arithmetic)
                    {
                        var live = _liveKnown[i] ? _live[i] ??= new ulong[(p.shape[0] + 63) / 64] : null;
                        TableAdamSweep.Step(p, m, v, ids, values, live, Coefficients(_step), arithmetic, torch.get_num_threads());
                        continue;
                    }
                    var (rows, summed) = SumDuplicateRows(ids, values);   // [u], [u, dim]
                    UpdateMoments(m, v, rows, summed);
                }
                else
                {
                    m.mul_(_beta1).add_(g, alpha: _oneMinusBeta1);
                    v.mul_(_beta2).addcmul_(g, g, value: _oneMinusBeta2);
                }
                (_liveKnown[i], _live[i]) = (false, null);   // the ops touched every row: the sweep must not skip any
                MoveParameter(p, m, v, sqrtCorrection2, eps, stepSize);
            }
        }
    }

    /// <summary>
    /// How libtorch's CPU ops round in a table update (MKL's square root or not, a fused multiply-add or not), found
    /// by running one step both ways on a small table of width <paramref name="dim"/> and comparing every bit;
    /// null when no arithmetic of the sweep reproduces it (then libtorch's ops keep doing the update).
    /// </summary>
    internal TableAdamSweep.Arithmetic? ArithmeticOfTorch(long dim) => TorchArithmetic.GetOrAdd(dim, d =>
    {
        using var scope = torch.NewDisposeScope();
        const int rows = 64;
        var rng = new SplitMix64((ulong)d);
        Tensor Random(long r, Func<long, double> value) =>
            tensor(Enumerable.Range(0, (int)(r * d)).Select(i => (float)value(i)).ToArray(), [r, d]);
        double Uniform() => (rng.Next() >> 11) * (1.0 / (1UL << 53));
        var p = Random(rows, _ => 0);   // p' = (stepSize·m) / denom exactly: no bit of the quotient is rounded away
        var m = Random(rows, _ => (Uniform() - 0.5) * 1e-3);
        // Roots of many magnitudes, zeros (rows no batch has touched) and a few values MKL's sqrt treats apart.
        var v = Random(rows, i => (i % 11) switch { 0 => 0, 1 when i % 7 == 0 => 1e-41, 1 when i % 5 == 0 => 1e-30, _ => Uniform() * Math.Pow(10, -(i % 9)) });
        // Gradient rows as a bag's backward gives them: repeats (summed in order), a third of the rows absent, some −0.
        var ids = tensor(Enumerable.Range(0, 3 * rows).Select(i => (long)(i * 7 % rows)).Where(r => r % 3 != 1).ToArray());
        var values = Random(ids.shape[0], i => i % 13 == 0 ? -0.0 : Uniform() - 0.5);
        const long step = 3;
        using Scalar sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(Beta2, step)), eps = _eps, stepSize = -_lr / (1 - Math.Pow(Beta1, step));
        Tensor pOps = p.clone(), mOps = m.clone(), vOps = v.clone();
        var (touched, summed) = SumDuplicateRows(ids, values);
        UpdateMoments(mOps, vOps, touched, summed);
        MoveParameter(pOps, mOps, vOps, sqrtCorrection2, eps, stepSize);
        foreach (var candidate in TableAdamSweep.Arithmetic.Candidates())
        {
            Tensor pSweep = p.clone(), mSweep = m.clone(), vSweep = v.clone();
            TableAdamSweep.Step(pSweep, mSweep, vSweep, ids, values, live: null, Coefficients(step), candidate, threads: 1);
            if (SameBits(pSweep, pOps) && SameBits(mSweep, mOps) && SameBits(vSweep, vOps)) return candidate;
        }
        return null;
    });

    private static bool SameBits(Tensor a, Tensor b) => a.bytes.SequenceEqual(b.bytes);

    /// <summary>Step <paramref name="step"/>'s constants for the sweep, from the same doubles as the Scalars of the ops.</summary>
    private TableAdamSweep.Coefficients Coefficients(long step) => TableAdamSweep.Coefficients.Of(
        Beta1, Beta2, Math.Sqrt(1 - Math.Pow(Beta2, step)), _eps, -_lr / (1 - Math.Pow(Beta1, step)));

    /// <summary>A sparse gradient's rows, each once: <paramref name="values"/>[i] is the gradient of row <paramref name="ids"/>[i].</summary>
    /// <param name="ids">[nnz] int64, with repeats (one per token)</param>
    /// <param name="values">[nnz, dim]</param>
    /// <returns>the rows, [u] int64 increasing, and their summed gradients, [u, dim]</returns>
    private (Tensor Rows, Tensor Summed) SumDuplicateRows(Tensor ids, Tensor values)
    {
        var (rows, inverse, _) = ids.unique(sorted: true, return_inverse: true);                 // [u], [nnz]
        var g = zeros([rows.shape[0], .. values.shape[1..]], values.dtype, values.device)          // [u, dim]
            .index_add_(0, inverse!, values, _one);
        return (rows, g);
    }

    /// <summary>m and v with libtorch's ops: scaled whole, then the touched rows' gradient added.</summary>
    /// <param name="rows">[u] int64, each once</param>
    /// <param name="g">[u, dim] their gradients</param>
    private void UpdateMoments(Tensor m, Tensor v, Tensor rows, Tensor g)
    {
        m.mul_(_beta1).index_add_(0, rows, g, _oneMinusBeta1);
        var square = g.mul(_oneMinusBeta2).mul_(g);                                               // [u, dim], as addcmul: (1−β2)·g·g
        v.mul_(_beta2).index_add_(0, rows, square, _one);
    }

    /// <summary>p ← p + stepSize · m / (√v/√(1−β2^t) + ε), one slice at a time.</summary>
    private static void MoveParameter(Tensor p, Tensor m, Tensor v, Scalar sqrtCorrection2, Scalar eps, Scalar stepSize)
    {
        using Tensor flatP = p.view(-1), flatM = m.view(-1), flatV = v.view(-1);
        long n = flatP.shape[0];
        for (long start = 0; start < n; start += SliceElements)
        {
            long length = Math.Min(SliceElements, n - start);
            using Tensor sliceP = flatP.narrow(0, start, length), sliceM = flatM.narrow(0, start, length), sliceV = flatV.narrow(0, start, length);
            using var denom = sliceV.sqrt().div_(sqrtCorrection2).add_(eps);
            sliceP.addcdiv_(sliceM, denom, value: stepSize);
        }
    }

    public void Dispose()
    {
        foreach (var (_, m, v) in _state) { m.Dispose(); v.Dispose(); }
        _beta1.Dispose(); _oneMinusBeta1.Dispose(); _beta2.Dispose(); _oneMinusBeta2.Dispose(); _one.Dispose();
    }
}
