namespace Lmev.Pipeline;

/// <summary>The next <c>length</c> bytes of a stream, so that a buffered reader never reads past them (a tensor, a gzip member).</summary>
public sealed class ReadOnlyWindow(Stream inner, long length) : ReadOnlyStream
{
    private long _left = length;

    public override int Read(Span<byte> buffer)
    {
        if (_left <= 0) return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= n;
        return n;
    }

    // The inner stream belongs to the caller (TensorBundleShards, GzipContentCheck); disposing the window leaves it open.
    protected override void Dispose(bool disposing) { }
}
