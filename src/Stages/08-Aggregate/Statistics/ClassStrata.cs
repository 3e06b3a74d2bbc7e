using Lmev.Pipeline;

namespace Lmev.Stages.Aggregate.Statistics;

/// <summary>
/// The test titles of runs that share a split, laid out for a class-stratified bootstrap of balanced
/// accuracy. BAC = Σᵢ wᵢ·yᵢ with wᵢ = 1 / (K·n_c) for a title of class c (K classes present, n_c titles
/// in c): a sum of stratum totals. A class with two or more titles is its own stratum; the classes with
/// a single title (whose one title never varies when resampled within itself) form one stratum together,
/// each of its titles weighing 1 / K: the collapsed strata of survey sampling (Hansen, Hurwitz and Madow
/// 1953; Wolter 2007, Introduction to Variance Estimation), which overstate those classes' variance by the
/// spread of the recall between them and never understate it. (A lone single-title class, the only one
/// of its kind, adds no spread.)
/// <para>
/// Within a stratum only the pattern of a title matters — which runs got it right — so a stratum is kept
/// as its distinct patterns and their counts, and drawing its titles with replacement is one multinomial
/// draw of those counts, made by conditional binomials (<see cref="BinomialSampler"/>), or title by title
/// where the stratum has few titles and several patterns: either way exactly the titles' resampling.
/// </para>
/// </summary>
internal sealed class ClassStrata
{
    private readonly int[] _size;          // titles of stratum h
    private readonly double[] _step;       // √(n_h / (n_h − 1)) · w_h: the rescaled weight of one drawn title (Rao and Wu 1988)
    private readonly int[] _patternStart;  // patterns of stratum h: _patternStart[h] .. _patternStart[h + 1], largest count first
    private readonly int[] _count;         // titles of each pattern
    private readonly byte[] _hit;          // pattern p right in run k: _hit[p · Runs + k]
    private readonly BinomialSampler[] _share; // of the draws left for patterns p, p + 1, …, how many land on p
    private readonly int[] _slotStart;     // a stratum drawn title by title: where its titles' patterns start in _slot (−1: drawn by binomials)
    private readonly int[] _slot;          // those titles' patterns, as offsets from the stratum's first pattern
    private readonly int[] _drawn;         // per pattern of such a stratum, the titles a resample drew (scratch: one resample at a time)

    public int Runs { get; }

    /// <summary>Classes present in the test titles (K).</summary>
    public int Classes { get; }

    /// <summary>Classes with a single test title, resampled together.</summary>
    public int Singletons { get; }

    /// <summary>Each run's balanced accuracy (scikit-learn's: mean recall over the classes present).</summary>
    public double[] Bac { get; }

    public ClassStrata(IReadOnlyList<ScoredTitles> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("a bootstrap needs at least one run", nameof(runs));
        var first = runs[0];
        foreach (var r in runs)
            if (!r.SameTitles(first)) throw new ArgumentException("a bootstrap over several runs needs them scored on the same titles in the same order", nameof(runs));
        if (first.Truth.Length == 0) throw new ArgumentException("a bootstrap needs at least one test title", nameof(runs));
        Runs = runs.Count;

        var perClass = new int[first.Classes];
        foreach (var c in first.Truth) perClass[c]++;
        Classes = perClass.Count(n => n > 0);
        Singletons = perClass.Count(n => n == 1);

        // Strata: the classes of two or more titles in class order, then the pool of single-title classes.
        var stratumOf = new int[first.Classes];
        var sizes = new List<int>();
        var weights = new List<double>();
        for (var c = 0; c < perClass.Length; c++)
        {
            if (perClass[c] < 2) continue;
            stratumOf[c] = sizes.Count;
            sizes.Add(perClass[c]);
            weights.Add(1.0 / ((double)Classes * perClass[c]));
        }
        if (Singletons > 0)
        {
            for (var c = 0; c < perClass.Length; c++) if (perClass[c] == 1) stratumOf[c] = sizes.Count;
            sizes.Add(Singletons);
            weights.Add(1.0 / Classes);
        }
        _size = sizes.ToArray();
        _step = _size.Select((n, h) => n < 2 ? 0 : Math.Sqrt(n / (n - 1.0)) * weights[h]).ToArray();

        // Each title's pattern (which runs got it right), numbered in order of first appearance, and each pattern's hits.
        var patternHits = new List<byte>();
        var patternOf = Runs <= 64
            ? Number(first.Truth.Length, i => { var bits = 0UL; for (var k = 0; k < Runs; k++) if (runs[k].Correct[i]) bits |= 1UL << k; return bits; }, runs, patternHits)
            : Number(first.Truth.Length, i => string.Concat(runs.Select(r => r.Correct[i] ? '1' : '0')), runs, patternHits);

        // The titles stratum by stratum (a counting sort), then each stratum's patterns with their counts, the largest first.
        var titleStart = new int[_size.Length + 1];
        foreach (var c in first.Truth) titleStart[stratumOf[c] + 1]++;
        for (var h = 0; h < _size.Length; h++) titleStart[h + 1] += titleStart[h];
        var order = new int[first.Truth.Length];
        var fill = (int[])titleStart.Clone();
        for (var i = 0; i < first.Truth.Length; i++) order[fill[stratumOf[first.Truth[i]]]++] = i;
        var tally = new int[patternHits.Count / Runs];
        var touched = new List<int>();
        _patternStart = new int[_size.Length + 1];
        var counts = new List<int>();
        var hits = new List<byte>();
        var shares = new List<BinomialSampler>();
        var strata = new List<(int Pattern, int Count)>[_size.Length];
        for (var h = 0; h < _size.Length; h++)
        {
            touched.Clear();
            for (var t = titleStart[h]; t < titleStart[h + 1]; t++)
                if (tally[patternOf[order[t]]]++ == 0) touched.Add(patternOf[order[t]]);
            touched.Sort((x, y) => tally[x] != tally[y] ? tally[y].CompareTo(tally[x]) : x.CompareTo(y)); // the largest first; ties by number
            strata[h] = touched.Select(id => (id, tally[id])).ToList();
            foreach (var id in touched) tally[id] = 0;
        }

        // A stratum of few titles and several patterns is cheaper drawn title by title (one uniform a title) than by
        // conditional binomials (an alias draw, then an exp and a walk for each further pattern): the same draw either way.
        bool ByTitle(int h) => strata[h].Count > 2 && _size[h] < 2 + 6 * (strata[h].Count - 2);
        _slotStart = new int[_size.Length];
        var slots = new List<int>();
        // The alias tables of the other strata's first patterns, one after another in the order a resample reads them.
        var tables = Enumerable.Range(0, _size.Length).Sum(h => strata[h].Count > 1 && !ByTitle(h) ? _size[h] + 1 : 0);
        var keep = new double[tables];
        var alias = new int[tables];
        var next = 0;
        Bac = new double[Runs];
        for (var h = 0; h < _size.Length; h++)
        {
            var byTitle = ByTitle(h);
            _slotStart[h] = byTitle ? slots.Count : -1;
            var left = _size[h];
            foreach (var (id, n) in strata[h])
            {
                if (byTitle)
                {
                    slots.AddRange(Enumerable.Repeat(counts.Count - _patternStart[h], n));
                    shares.Add(default);
                }
                else
                {
                    // Of the draws not given to the patterns before, those that land on this one: Binomial(draws left, n / titles left).
                    // The stratum's first pattern always shares out all n_h draws, so its distribution is tabulated.
                    var table = left == _size[h] && n < left ? left : 0;
                    shares.Add(new BinomialSampler(n / (double)left, table, keep, alias, next));
                    next += table == 0 ? 0 : table + 1;
                }
                left -= n;
                counts.Add(n);
                for (var k = 0; k < Runs; k++)
                {
                    var hit = patternHits[id * Runs + k];
                    hits.Add(hit);
                    Bac[k] += weights[h] * n * hit;
                }
            }
            _patternStart[h + 1] = counts.Count;
        }
        _count = counts.ToArray();
        _hit = hits.ToArray();
        _share = shares.ToArray();
        _slot = slots.ToArray();
        _drawn = new int[Enumerable.Range(0, _size.Length).Where(ByTitle).Select(h => strata[h].Count).DefaultIfEmpty(0).Max()];
    }

    /// <summary>Each title's pattern number by its key; a new pattern's hits (one byte per run) are appended to <paramref name="hits"/>.</summary>
    private static int[] Number<TKey>(int titles, Func<int, TKey> key, IReadOnlyList<ScoredTitles> runs, List<byte> hits) where TKey : notnull
    {
        var ids = new Dictionary<TKey, int>();
        var of = new int[titles];
        for (var i = 0; i < titles; i++)
        {
            var k = key(i);
            if (!ids.TryGetValue(k, out var id))
            {
                ids[k] = id = ids.Count;
                foreach (var r in runs) hits.Add(r.Correct[i] ? (byte)1 : (byte)0);
            }
            of[i] = id;
        }
        return of;
    }

    /// <summary>
    /// One resample: each stratum's titles drawn with replacement (a multinomial draw of its patterns'
    /// counts), and each run's BAC moved from its observed value by the rescaled difference of the drawn
    /// titles' hits from the observed ones. Written into <paramref name="bac"/> (one value per run).
    /// </summary>
    public void Resample(SeededRandom random, double[] bac)
    {
        Bac.CopyTo(bac, 0);
        for (var h = 0; h < _size.Length; h++)
        {
            int first = _patternStart[h], end = _patternStart[h + 1];
            // Titles that all share one pattern, or a stratum of one title: a resample is the stratum itself.
            if (end - first < 2 || _step[h] == 0) continue;
            int n = _size[h], start = _slotStart[h];
            if (start >= 0)
            {
                Array.Clear(_drawn, 0, end - first);
                for (var j = 0; j < n; j++) _drawn[_slot[start + random.NextInt(n)]]++;
            }
            var remaining = n;
            for (var p = first; p < end; p++)
            {
                // By title, or by sequential conditional binomials: of the draws not yet given out, those that land on pattern p.
                var drawn = start >= 0 ? _drawn[p - first] : p == end - 1 ? remaining : _share[p].Next(random, remaining);
                remaining -= drawn;
                var moved = drawn - _count[p];
                if (moved == 0) continue;
                for (var k = 0; k < Runs; k++)
                    if (_hit[p * Runs + k] == 1) bac[k] += _step[h] * moved;
            }
        }
    }
}
