using System.Threading.Channels;

namespace Lmev.Pipeline.Csv;

/// <summary>
/// Reads an inner stream on a background thread into a few buffers ahead of the consumer. For a
/// gzip source this puts decompression and CSV parsing on two cores instead of one.
/// </summary>
public sealed class ReadAheadStream : ReadOnlyStream
{
    /// <summary>The size of each buffer read ahead: a file no larger fits in one, and reading it ahead gains nothing.</summary>
    public const int BufferSize = 1 << 20;
    private readonly Stream _inner;
    private readonly Channel<(byte[] Buffer, int Count)> _full = Channel.CreateBounded<(byte[], int)>(4);
    private readonly Channel<byte[]> _empty = Channel.CreateUnbounded<byte[]>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private byte[]? _current;
    private int _count, _offset;
    private bool _done;

    public ReadAheadStream(Stream inner)
    {
        _inner = inner;
        _producer = Task.Run(Produce);
    }

    private async Task Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var buffer = _empty.Reader.TryRead(out var b) ? b : new byte[BufferSize];
                var n = await _inner.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, _stop.Token).ConfigureAwait(false);
                if (n > 0) await _full.Writer.WriteAsync((buffer, n), _stop.Token).ConfigureAwait(false);
                if (n < buffer.Length) break;
            }
            _full.Writer.TryComplete();
        }
        catch (OperationCanceledException) { _full.Writer.TryComplete(); }
        catch (Exception e) { _full.Writer.TryComplete(e); } // surfaces on the consumer's next Read
    }

    public override int Read(Span<byte> destination)
    {
        while (_current is null || _offset == _count)
        {
            if (_done) return 0;
            if (_current is not null) _empty.Writer.TryWrite(_current);
            _current = null;
            try
            {
                if (!_full.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) { _done = true; return 0; }
            }
            catch (ChannelClosedException e) when (e.InnerException is not null) { throw e.InnerException; }
            if (_full.Reader.TryRead(out var next)) (_current, _count, _offset) = (next.Buffer, next.Count, 0);
        }
        var n = Math.Min(destination.Length, _count - _offset);
        _current.AsSpan(_offset, n).CopyTo(destination);
        _offset += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            while (_full.Reader.TryRead(out _)) { } // unblock a producer waiting for room
            try { _producer.Wait(); } catch (AggregateException) { }
            _inner.Dispose();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
