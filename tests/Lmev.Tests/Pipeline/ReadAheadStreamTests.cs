using Lmev.Pipeline.Csv;

namespace Lmev.Tests.Pipeline;

public sealed class ReadAheadStreamTests
{
    private sealed class FailingStream(int failAfter) : MemoryStream(new byte[failAfter * 2])
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position >= failAfter) throw new IOException("disk on fire");
            return base.Read(buffer, offset, Math.Min(count, failAfter - (int)Position));
        }

        public override int Read(Span<byte> buffer) => throw new NotSupportedException();
    }

    [Fact]
    public void Returns_the_inner_bytes_in_order_across_many_buffers()
    {
        var data = new byte[3_500_000];
        new Random(1).NextBytes(data);
        using var s = new ReadAheadStream(new MemoryStream(data));
        var copy = new MemoryStream();
        s.CopyTo(copy, 12_345);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public void An_error_of_the_inner_stream_reaches_the_reader()
    {
        using var s = new ReadAheadStream(new FailingStream(1000));
        var e = Assert.Throws<IOException>(() => s.CopyTo(Stream.Null));
        Assert.Equal("disk on fire", e.Message);
    }
}
