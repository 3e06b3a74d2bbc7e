namespace Lmev.Models.TensorFlow;

/// <summary>The next <c>length</c> bytes of a stream, so that a buffered reader never reads past a tensor.</summary>
internal sealed class ReadOnlyWindow(Stream inner, long length) : Stream
{
    private long _left = length;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_left <= 0) return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // The inner stream belongs to TensorBundleShards; disposing the window leaves it open.
    protected override void Dispose(bool disposing) { }
}
