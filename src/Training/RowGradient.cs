namespace Lmev.Training;

/// <summary>
/// A sparse gradient of an embedding table grouped by row: <see cref="Rows"/>[k] (strictly increasing) has the values
/// <see cref="Values"/>[o] for each o in <see cref="Occurrences"/>(k), in the order the gradient listed them (the
/// order libtorch's index_add_ sums them in). The values stay where libtorch put them; only the order is made here.
/// </summary>
internal sealed unsafe class RowGradient
{
    /// <summary>Occurrence numbers and rows share one 64-bit sort key: 24 bits for the one, 39 for the other.</summary>
    public const int MaxOccurrences = 1 << 24;
    public const long MaxRows = 1L << 39;

    private readonly int[] _starts;   // [u + 1]
    private readonly int[] _order;    // [nnz] occurrence numbers, by row, ascending within a row

    private RowGradient(long[] rows, int[] starts, int[] order, float* values, int dim)
    {
        Rows = rows; _starts = starts; _order = order; Values = values; Dim = dim;
    }

    public long[] Rows { get; }
    public float* Values { get; }
    public int Dim { get; }

    public ReadOnlySpan<int> Occurrences(int k) => _order.AsSpan(_starts[k], _starts[k + 1] - _starts[k]);

    /// <param name="ids">[nnz] the row of each value, with repeats</param>
    /// <param name="values">[nnz, dim], not copied: keep it alive while this is used</param>
    /// <param name="tableRows">rows of the table; every id must be below it</param>
    public static RowGradient Group(ReadOnlySpan<long> ids, float* values, int dim, long tableRows)
    {
        if (ids.Length >= MaxOccurrences) throw new ArgumentException($"{ids.Length:N0} gradient rows; at most {MaxOccurrences - 1:N0}.", nameof(ids));
        var keys = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            if ((ulong)ids[i] >= (ulong)Math.Min(tableRows, MaxRows))
                throw new ArgumentException($"Gradient row {i} is for table row {ids[i]}; the table has {tableRows:N0}.", nameof(ids));
            keys[i] = ids[i] << 24 | (long)i;
        }
        Array.Sort(keys);   // by row, then by occurrence: a stable grouping
        var rows = new List<long>();
        var starts = new List<int>();
        var order = new int[keys.Length];
        for (int j = 0; j < keys.Length; j++)
        {
            long row = keys[j] >> 24;
            if (rows.Count == 0 || rows[^1] != row) { rows.Add(row); starts.Add(j); }
            order[j] = (int)(keys[j] & (MaxOccurrences - 1));
        }
        starts.Add(keys.Length);
        return new RowGradient([.. rows], [.. starts], order, values, dim);
    }
}
