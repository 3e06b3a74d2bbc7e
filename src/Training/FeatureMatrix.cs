namespace Lmev.Training;

/// <summary>
/// A dense float matrix [Rows, Dim], row-major: the frozen embeddings of a split, or an embedding
/// table. Every value must be finite (checked here, once).
/// </summary>
public sealed class FeatureMatrix
{
    public FeatureMatrix(float[] values, int rows, int dim)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be >= 0.");
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be >= 1.");
        if (values.LongLength != (long)rows * dim)
            throw new ArgumentException(
                $"Feature matrix: expected rows × dim = {rows} × {dim} = {(long)rows * dim} values, found {values.LongLength}.", nameof(values));
        for (long i = 0; i < values.LongLength; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException(
                    $"Feature matrix: row {i / dim}, column {i % dim} is {values[i]}; every feature must be finite (check the embedding step).", nameof(values));
        Values = values; Rows = rows; Dim = dim;
    }

    /// <summary>Row-major values, [Rows × Dim]. Not copied: do not change it while it is in use.</summary>
    public float[] Values { get; }
    public int Rows { get; }
    public int Dim { get; }
}
