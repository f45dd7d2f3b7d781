using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using StreamService.Observability;

namespace StreamService.Calls;

/// <summary>
/// The call's response <see cref="PipeWriter"/>, wrapped to count what is sent: bytes, and whole
/// gRPC messages by following the length-prefixed framing (gRPC over HTTP/2, "Length-Prefixed-Message":
/// 1 byte compressed flag, 4 bytes big-endian length, payload). Counts are reported to the call and
/// the metrics once per flush, so a write costs a few integer operations and no allocation.
/// It also knows whether a flush is waiting on the client (HTTP/2 flow control), which
/// <see cref="EndForDrain"/> needs: Kestrel resets the stream when a pending flush is cancelled
/// through its token, so a drained call's pending flush is cancelled with CancelPendingFlush first
/// and the call's token only once that flush has returned — the status then still reaches the client.
/// </summary>
internal sealed class CountingPipeWriter : PipeWriter
{
    private const int PrefixLength = 5;

    private readonly PipeWriter _inner;
    private readonly StreamCall _call;
    private readonly StreamMetrics _metrics;
    private Memory<byte> _lastBuffer;
    private long _payloadRemaining;
    private int _prefixSeen;
    private uint _length;
    private long _pendingMessages;
    private long _pendingBytes;
    private readonly Lock _drainLock = new();
    private bool _flushPending;
    private Action? _endCall;

    public CountingPipeWriter(PipeWriter inner, StreamCall call, StreamMetrics metrics)
    {
        _inner = inner;
        _call = call;
        _metrics = metrics;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lastBuffer = _inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_lastBuffer = _inner.GetMemory(sizeHint)).Span;

    public override void Advance(int bytes)
    {
        Count(_lastBuffer.Span[..bytes]);
        _lastBuffer = default;
        _pendingBytes += bytes;
        _inner.Advance(bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ReportPending();
        var flush = _inner.FlushAsync(cancellationToken);
        return flush.IsCompleted ? flush : AwaitFlushAsync(flush);
    }

    /// <summary>Ends the call for a drain: <paramref name="endCall"/> cancels the handler's token,
    /// at once when no flush is pending, else as soon as the pending flush has been cancelled.</summary>
    public void EndForDrain(Action endCall)
    {
        lock (_drainLock)
        {
            if (!_flushPending)
            {
                endCall();
                return;
            }

            _endCall = endCall;
            _inner.CancelPendingFlush();
        }
    }

    /// <summary>The slow path: the client's window is full (pooled, so no allocation either).</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        lock (_drainLock)
        {
            _flushPending = true;
        }

        try
        {
            return await flush.ConfigureAwait(false);
        }
        finally
        {
            Action? endCall;
            lock (_drainLock)
            {
                _flushPending = false;
                endCall = _endCall;
                _endCall = null;
            }

            endCall?.Invoke();
        }
    }

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        ReportPending();
        _inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        ReportPending();
        return _inner.CompleteAsync(exception);
    }

    public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => _inner.UnflushedBytes;

    /// <summary>Reports what was written since the last report (also called when the call ends:
    /// Kestrel flushes the tail itself).</summary>
    public void ReportPending()
    {
        if (_pendingBytes == 0)
        {
            return;
        }

        var first = _call.FirstMessageTimestamp == 0 && _pendingMessages > 0;
        _call.OnSent(_pendingMessages, _pendingBytes, Stopwatch.GetTimestamp());
        _metrics.Sent(_call, _pendingMessages, _pendingBytes, first);
        _pendingMessages = 0;
        _pendingBytes = 0;
    }

    private void Count(ReadOnlySpan<byte> written)
    {
        while (!written.IsEmpty)
        {
            if (_payloadRemaining > 0)
            {
                var skip = (int)Math.Min(_payloadRemaining, written.Length);
                _payloadRemaining -= skip;
                written = written[skip..];
                continue;
            }

            if (_prefixSeen == 0 && written.Length >= PrefixLength)
            {
                // The usual case: the whole prefix in one buffer.
                _pendingMessages++;
                _payloadRemaining = BinaryPrimitives.ReadUInt32BigEndian(written[1..]);
                written = written[PrefixLength..];
                continue;
            }

            if (_prefixSeen > 0)
            {
                _length = (_length << 8) | written[0];
            }

            _prefixSeen++;
            written = written[1..];
            if (_prefixSeen == PrefixLength)
            {
                _pendingMessages++;
                _payloadRemaining = _length;
                _prefixSeen = 0;
                _length = 0;
            }
        }
    }
}
