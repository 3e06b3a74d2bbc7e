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
/// </summary>
public sealed class AdamUpdate : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999;
    private readonly (TorchSharp.Modules.Parameter Param, Tensor M, Tensor V)[] _state;
    private readonly double _lr, _eps;
    private readonly Scalar _beta1 = Beta1, _oneMinusBeta1 = 1 - Beta1, _beta2 = Beta2, _oneMinusBeta2 = 1 - Beta2;
    private long _step;

    public AdamUpdate(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double eps)
    {
        _lr = lr;
        _eps = eps;
        using var _ = torch.NewDisposeScope();
        _state = parameters.Select(p => (p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToArray();
    }

    public void ZeroGrad()
    {
        foreach (var (p, _, _) in _state) p.grad?.zero_();
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
                m.mul_(_beta1).add_(g, alpha: _oneMinusBeta1);
                v.mul_(_beta2).addcmul_(g, g, value: _oneMinusBeta2);
                var denom = v.sqrt().div_(sqrtCorrection2).add_(eps);
                p.addcdiv_(m, denom, value: stepSize);
            }
        }
    }

    public void Dispose()
    {
        foreach (var (_, m, v) in _state) { m.Dispose(); v.Dispose(); }
        _beta1.Dispose(); _oneMinusBeta1.Dispose(); _beta2.Dispose(); _oneMinusBeta2.Dispose();
    }
}
