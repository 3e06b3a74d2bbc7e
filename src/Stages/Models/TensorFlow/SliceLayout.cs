namespace Lmev.Models.TensorFlow;

/// <summary>
/// Where the elements of one stored slice go in the full row-major tensor. A slice is stored row-major
/// in its own shape, so it is a sequence of equal runs that are contiguous in the full tensor: the run
/// spans the last dimension and every trailing dimension the slice covers in full. An unsliced tensor
/// is a single run starting at 0.
/// </summary>
internal sealed class SliceLayout
{
    private readonly long[] _starts;     // per dimension, in the full tensor
    private readonly long[] _lengths;    // per dimension, of the slice
    private readonly long[] _strides;    // of the full tensor, in elements
    private readonly int _outerDims;     // dimensions iterated run by run

    public SliceLayout(long[] fullShape, long[] starts, long[] lengths)
    {
        _starts = starts;
        _lengths = lengths;
        _strides = new long[fullShape.Length];
        var stride = 1L;
        for (var d = fullShape.Length - 1; d >= 0; d--) { _strides[d] = stride; stride *= fullShape[d]; }

        RunLength = 1;
        _outerDims = fullShape.Length;
        for (var d = fullShape.Length - 1; d >= 0; d--)
        {
            RunLength *= lengths[d];
            _outerDims = d;
            if (lengths[d] != fullShape[d]) break;
        }
        ElementCount = lengths.Aggregate(1L, (n, l) => n * l);
    }

    public static SliceLayout Whole(long[] shape) => new(shape, new long[shape.Length], shape);

    public long ElementCount { get; }

    public long RunLength { get; }

    /// <summary>The full-tensor index of the first element of run <paramref name="run"/>.</summary>
    public long RunStart(long run)
    {
        var index = 0L;
        // The dimension that holds the run's start (if any) contributes its slice start only.
        if (_outerDims < _starts.Length) index += _starts[_outerDims] * _strides[_outerDims];
        for (var d = _outerDims - 1; d >= 0; d--)
        {
            index += (_starts[d] + run % _lengths[d]) * _strides[d];
            run /= _lengths[d];
        }
        return index;
    }
}
