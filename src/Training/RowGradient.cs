using System.Buffers;

namespace Lmev.Training;

/// <summary>
/// A sparse gradient of an embedding table grouped by row: <see cref="Rows"/>[k] (strictly increasing) has the values
/// <see cref="Values"/>[o] for each o in <see cref="Occurrences"/>(k), in the order the gradient listed them (the
/// order libtorch's index_add_ sums them in). The values stay where libtorch put them; only the order is made here.
/// Its arrays (a few hundred KB a step) are rented and given back on <see cref="Dispose"/>: garbage of that size goes
/// to .NET's large object heap, which only a full collection empties, and grew the RSS by ~1 MB a step.
/// </summary>
internal sealed unsafe class RowGradient : IDisposable
{
    /// <summary>Occurrence numbers and rows share one 64-bit sort key: 24 bits for the one, 39 for the other.</summary>
    public const int MaxOccurrences = 1 << 24;
    public const long MaxRows = 1L << 39;

    private long[] _keys;    // [nnz]: row << 24 | occurrence, sorted; then Rows in its first u entries
    private int[] _starts;   // [u + 1]
    private int[] _order;    // [nnz] occurrence numbers, by row, ascending within a row

    private RowGradient(long[] keys, int u, int[] starts, int[] order, float* values, int dim)
    {
        _keys = keys; Count = u; _starts = starts; _order = order; Values = values; Dim = dim;
    }

    /// <summary>The rows with a gradient, strictly increasing: <see cref="Count"/> of them.</summary>
    public ReadOnlySpan<long> Rows => _keys.AsSpan(0, Count);
    public int Count { get; }
    public float* Values { get; }
    public int Dim { get; }

    public ReadOnlySpan<int> Occurrences(int k) => _order.AsSpan(_starts[k], _starts[k + 1] - _starts[k]);

    /// <param name="ids">[nnz] the row of each value, with repeats</param>
    /// <param name="values">[nnz, dim], not copied: keep it alive while this is used</param>
    /// <param name="tableRows">rows of the table; every id must be below it</param>
    public static RowGradient Group(ReadOnlySpan<long> ids, float* values, int dim, long tableRows)
    {
        if (ids.Length >= MaxOccurrences) throw new ArgumentException($"{ids.Length:N0} gradient rows; at most {MaxOccurrences - 1:N0}.", nameof(ids));
        int nnz = ids.Length;
        long[] keys = ArrayPool<long>.Shared.Rent(nnz);
        int[] order = ArrayPool<int>.Shared.Rent(nnz), starts = ArrayPool<int>.Shared.Rent(nnz + 1);
        for (int i = 0; i < nnz; i++)
        {
            if ((ulong)ids[i] >= (ulong)Math.Min(tableRows, MaxRows))
            {
                ArrayPool<long>.Shared.Return(keys); ArrayPool<int>.Shared.Return(order); ArrayPool<int>.Shared.Return(starts);
                throw new ArgumentException($"Gradient row {i} is for table row {ids[i]}; the table has {tableRows:N0}.", nameof(ids));
            }
            keys[i] = ids[i] << 24 | (long)i;
        }
        Array.Sort(keys, 0, nnz);   // by row, then by occurrence: a stable grouping
        int u = 0;
        for (int j = 0; j < nnz; j++)
        {
            long row = keys[j] >> 24;
            order[j] = (int)(keys[j] & (MaxOccurrences - 1));
            if (u == 0 || keys[u - 1] != row) { keys[u] = row; starts[u++] = j; }   // keys[..u] become the rows (u <= j)
        }
        starts[u] = nnz;
        return new RowGradient(keys, u, starts, order, values, dim);
    }

    public void Dispose()
    {
        if (_keys.Length == 0) return;
        ArrayPool<long>.Shared.Return(_keys); ArrayPool<int>.Shared.Return(_order); ArrayPool<int>.Shared.Return(_starts);
        (_keys, _order, _starts) = ([], [], []);
    }
}
