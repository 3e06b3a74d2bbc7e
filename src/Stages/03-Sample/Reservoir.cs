using Lmev.Pipeline;

namespace Lmev.Stages.Sample;

/// <summary>
/// A uniform random sample of k items from a stream of unknown length in one pass and O(k) memory:
/// Li's Algorithm L ("Reservoir-sampling algorithms of time complexity O(n(1 + log(N/n)))", ACM TOMS
/// 1994), which draws how many items to skip instead of a random number per item, so a skipped
/// item costs no random draw and no copy.
/// </summary>
public sealed class Reservoir<T>(int capacity, SeededRandom random)
{
    private readonly List<(long Index, T Item)> _items = new(capacity);
    private double _w = Math.Exp(Math.Log(random.NextDouble()) / capacity);
    private long _next;
    private int _slot;

    /// <summary>Items counted so far.</summary>
    public long Seen { get; private set; }

    /// <summary>Counts the next item of the stream; true when it is kept, and then <see cref="Keep"/> must store it.</summary>
    public bool Next()
    {
        var index = Seen++;
        if (_items.Count < capacity)
        {
            _slot = _items.Count;
            if (_slot == capacity - 1) _next = index + Skip() + 1;
            return true;
        }
        if (index != _next) return false;
        _slot = random.NextInt(capacity);
        _w *= Math.Exp(Math.Log(random.NextDouble()) / capacity);
        _next = index + Skip() + 1;
        return true;
    }

    /// <summary>The item that <see cref="Keep"/> will evict (default while the reservoir fills), so its storage can be reused.</summary>
    public T? Evicted => _slot < _items.Count ? _items[_slot].Item : default;

    public void Keep(T item)
    {
        var entry = (Seen - 1, item);
        if (_slot == _items.Count) _items.Add(entry);
        else _items[_slot] = entry;
    }

    private long Skip()
    {
        // floor(log(u) / log(1 - w)), guarded against u = 0 and w → 0.
        var u = random.NextDouble();
        if (u == 0) u = double.Epsilon;
        var s = Math.Floor(Math.Log(u) / Math.Log(1 - _w));
        return double.IsFinite(s) && s < long.MaxValue / 2 ? (long)s : long.MaxValue / 2;
    }

    /// <summary>The kept items in the order they came in the stream.</summary>
    public IEnumerable<T> InStreamOrder() => _items.OrderBy(i => i.Index).Select(i => i.Item);
}
