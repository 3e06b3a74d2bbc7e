using Lmev.Pipeline;
using MathNet.Numerics;

namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// Exact Binomial(n, p) draws from lmev's seeded generator, for one p. For the one n it is made for
/// (<see cref="TableSize"/>) it writes Walker's alias table of the n + 1 probabilities (Vose 1991, IEEE
/// Trans. Softw. Eng. 17:972) into a slice of arrays that many samplers share, so that a bootstrap
/// reads its tables one after another: one uniform and one comparison per draw. For any other n it uses
/// inversion by sequential search (Devroye 1986, Non-Uniform Random Variate Generation, §X.4;
/// Kachitvichyanukul and Schmeiser's BINV), walking f(k + 1) = f(k) · (n − k)/(k + 1) · p/q up from
/// f(0) = qⁿ with p ≤ ½ by symmetry: one uniform and about n·p steps; where qⁿ would underflow, it counts
/// n Bernoulli trials. (MathNet's Binomial.Sample always counts n trials, and draws from System.Random.)
/// </summary>
internal readonly struct BinomialSampler
{
    private readonly double _p, _logQ, _ratio; // _p ≤ ½: the draw is n − X when the probability asked for was above ½
    private readonly bool _flip;
    private readonly double[] _keep;           // column k of the table keeps k with probability _keep[_start + k],
    private readonly int[] _alias;             // and otherwise gives _alias[_start + k]
    private readonly int _start;

    public int TableSize { get; }

    /// <summary>A sampler of Binomial(·, p) whose table for n = <paramref name="tableSize"/> (0 for none) fills
    /// <paramref name="keep"/> and <paramref name="alias"/> from <paramref name="start"/>, tableSize + 1 entries.</summary>
    public BinomialSampler(double p, int tableSize, double[] keep, int[] alias, int start)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a probability");
        _flip = p > 0.5;
        _p = _flip ? 1 - p : p;
        _logQ = Math.Log(1 - _p);
        _ratio = _p / (1 - _p);
        (_keep, _alias, _start) = (keep, alias, start);
        TableSize = _p == 0 ? 0 : Math.Max(0, tableSize);
        if (TableSize > 0) Tabulate(TableSize);
    }

    private void Tabulate(int n)
    {
        // The probabilities from the mode outwards (in logs there, so that nothing near it underflows).
        var mode = (int)Math.Min(n, Math.Floor((n + 1) * _p));
        Span<double> pmf = n < 512 ? stackalloc double[n + 1] : new double[n + 1];
        pmf[mode] = Math.Exp(SpecialFunctions.BinomialLn(n, mode) + mode * Math.Log(_p) + (n - mode) * _logQ);
        for (var k = mode; k < n; k++) pmf[k + 1] = pmf[k] * _ratio * (n - k) / (k + 1);
        for (var k = mode; k > 0; k--) pmf[k - 1] = pmf[k] / _ratio * k / (n - k + 1);
        // Vose's construction: n + 1 columns of height 1 (probabilities scaled by n + 1), each filled up from one larger outcome.
        var total = 0.0;
        foreach (var f in pmf) total += f;
        var scaled = pmf; // in place
        Span<int> small = n < 512 ? stackalloc int[n + 1] : new int[n + 1], large = n < 512 ? stackalloc int[n + 1] : new int[n + 1];
        int smalls = 0, larges = 0;
        for (var k = n; k >= 0; k--)
        {
            scaled[k] = pmf[k] / total * (n + 1);
            if (scaled[k] < 1) small[smalls++] = k; else large[larges++] = k;
        }
        while (smalls > 0 && larges > 0)
        {
            int less = small[--smalls], more = large[--larges];
            _keep[_start + less] = scaled[less];
            _alias[_start + less] = more;
            scaled[more] += scaled[less] - 1;
            if (scaled[more] < 1) small[smalls++] = more; else large[larges++] = more;
        }
        // What rounding leaves over is a full column.
        while (larges > 0) { var k = large[--larges]; (_keep[_start + k], _alias[_start + k]) = (1, k); }
        while (smalls > 0) { var k = small[--smalls]; (_keep[_start + k], _alias[_start + k]) = (1, k); }
    }

    public int Next(SeededRandom random, int n)
    {
        if (n <= 0 || _p == 0) return _flip ? Math.Max(n, 0) : 0;
        int k;
        if (n == TableSize)
        {
            var u = random.NextDouble() * (n + 1);
            var column = Math.Min((int)u, n);
            k = u - column < _keep[_start + column] ? column : _alias[_start + column];
        }
        else if (n * _logQ < -600)
        {
            k = 0;
            for (var i = 0; i < n; i++) if (random.NextDouble() < _p) k++;
        }
        else
        {
            var u = random.NextDouble();
            var f = Math.Exp(n * _logQ);
            k = 0;
            while (u >= f && k < n)
            {
                u -= f;
                f *= _ratio * (n - k) / (k + 1);
                k++;
            }
        }
        return _flip ? n - k : k;
    }
}
