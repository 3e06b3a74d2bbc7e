namespace Lmev.Pipeline.Fetching;

/// <summary>A read-only wrapper that counts the bytes read through it (the uncompressed size of a gzip).</summary>
internal sealed class CountingStream(Stream inner) : ReadOnlyStream
{
    public long BytesRead { get; private set; }

    /// <summary>How many zero bytes end what was read so far (a tar ends with at least two zero blocks of 512).</summary>
    public long TrailingZeros { get; private set; }

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        BytesRead += n;
        var last = buffer[..n].LastIndexOfAnyExcept((byte)0);
        TrailingZeros = last < 0 ? TrailingZeros + n : n - last - 1;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
