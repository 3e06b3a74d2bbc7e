namespace Lmev.Models.TensorFlow;

/// <summary>
/// One tensor of a checkpoint: its key in variables.index, its TensorFlow dtype number, its full shape
/// (a scalar has an empty shape) and the bytes it occupies in the data files (summed over its slices
/// when the variable was saved partitioned).
/// </summary>
public sealed record BundleTensor(string Key, int DType, long[] Shape, long ByteSize, bool IsSliced)
{
    public string DTypeName => DType switch
    {
        (int)TensorDType.Float => "float32",
        (int)TensorDType.Double => "float64",
        (int)TensorDType.Int32 => "int32",
        (int)TensorDType.Int64 => "int64",
        (int)TensorDType.String => "string",
        _ => $"dtype {DType}",
    };

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    public override string ToString() => $"{Key} {DTypeName}[{string.Join(",", Shape)}]";
}
