namespace Lmev.Models.TensorFlow;

/// <summary>
/// The TensorFlow data types lmev reads, numbered as tensorflow.DataType (core/framework/types.proto).
/// Checkpoints may hold others (DT_HALF = 19, DT_BOOL = 10, ...); <see cref="BundleTensor.DType"/> keeps the raw number.
/// </summary>
public enum TensorDType
{
    Float = 1,
    Double = 2,
    Int32 = 3,
    String = 7,
    Int64 = 9,
}
