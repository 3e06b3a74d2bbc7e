using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training.Tests;

/// <summary>
/// AdamUpdate as it was before the fused table pass (main at 9ac7d69, src/Training/AdamUpdate.cs), kept
/// verbatim but for its name and <see cref="MomentsOf"/>: the reference the new update must reproduce.
/// Do not edit its arithmetic.
/// </summary>
internal sealed class MainAdamUpdate : IDisposable
{
    /// <summary>Elements per slice of the final pass (4 MB of float32: one slice's temporary).</summary>
    internal const long SliceElements = 1 << 20;

    private const double Beta1 = 0.9, Beta2 = 0.999;
    private readonly (TorchSharp.Modules.Parameter Param, Tensor M, Tensor V)[] _state;
    private readonly double _lr, _eps;
    private readonly Scalar _beta1 = Beta1, _oneMinusBeta1 = 1 - Beta1, _beta2 = Beta2, _oneMinusBeta2 = 1 - Beta2, _one = 1.0;
    private long _step;

    public MainAdamUpdate(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double eps)
    {
        _lr = lr;
        _eps = eps;
        using var _ = torch.NewDisposeScope();
        _state = parameters.Select(p => (p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToArray();
    }

    /// <summary>Adam's m and v of the <paramref name="parameter"/>-th parameter (added for the comparison).</summary>
    public (Tensor M, Tensor V) MomentsOf(int parameter) => (_state[parameter].M, _state[parameter].V);

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
