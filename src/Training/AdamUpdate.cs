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
/// update is in place; the one temporary, √v/√(1−β2^t) + ε, is made a slice of
/// <see cref="SliceElements"/> at a time, so a 500 MB embedding table never gets a 500 MB
/// temporary. <see cref="ZeroGrad"/> drops the gradients (set to none, as torch's zero_grad does
/// by default) rather than zeroing them, so backward hands over its gradient instead of adding it
/// into a second full-size buffer.
/// </para>
/// <para>
/// A sparse gradient (an EmbeddingBag with sparse: true: only the rows a batch touched) gets the
/// same dense update, not a lazy one: it is the dense gradient with zeros elsewhere, so every row's
/// m and v still decay and every row still moves, as under Keras' dense Adam. Duplicate rows are
/// summed first (g² must be of the summed gradient), then m and v are scaled whole and the touched
/// rows get (1−β1)·g and (1−β2)·g·g added: the same operations, in the same order, as the dense
/// formula; only the order in which a row's token gradients are summed may differ from a dense
/// backward's.
/// </para>
/// </summary>
public sealed class AdamUpdate : IDisposable
{
    /// <summary>Elements per slice of the final pass (4 MB of float32: one slice's temporary).</summary>
    internal const long SliceElements = 1 << 20;

    private const double Beta1 = 0.9, Beta2 = 0.999;
    private readonly (TorchSharp.Modules.Parameter Param, Tensor M, Tensor V)[] _state;
    private readonly double _lr, _eps;
    private readonly Scalar _beta1 = Beta1, _oneMinusBeta1 = 1 - Beta1, _beta2 = Beta2, _oneMinusBeta2 = 1 - Beta2, _one = 1.0;
    private long _step;

    public AdamUpdate(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double eps)
    {
        _lr = lr;
        _eps = eps;
        using var _ = torch.NewDisposeScope();
        _state = parameters.Select(p => (p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToArray();
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
            foreach (var (p, m, v) in _state)
            {
                var g = p.grad;
                if (g is null) continue;
                if (g.is_sparse) UpdateMoments(m, v, g.SparseIndices.select(0, 0), g.SparseValues);
                else
                {
                    m.mul_(_beta1).add_(g, alpha: _oneMinusBeta1);
                    v.mul_(_beta2).addcmul_(g, g, value: _oneMinusBeta2);
                }
                MoveParameter(p, m, v, sqrtCorrection2, eps, stepSize);
            }
        }
    }

    /// <summary>m and v from a sparse gradient: <paramref name="values"/>[i] is the gradient of row <paramref name="ids"/>[i].</summary>
    /// <param name="ids">[nnz] int64, with repeats (one per token)</param>
    /// <param name="values">[nnz, dim]</param>
    private void UpdateMoments(Tensor m, Tensor v, Tensor ids, Tensor values)
    {
        var (rows, inverse, _) = ids.unique(sorted: true, return_inverse: true);                 // [u], [nnz]
        var g = zeros([rows.shape[0], .. values.shape[1..]], values.dtype, values.device)          // [u, dim]
            .index_add_(0, inverse!, values, _one);
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
