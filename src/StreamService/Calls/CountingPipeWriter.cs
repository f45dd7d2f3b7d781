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
/// and the call's token only once that flush has returned — the status then still reaches the client,
/// after every message already written.
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
    private bool _draining;
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
        ValueTask<FlushResult> flush;
        bool drained;
        lock (_drainLock)
        {
            drained = _draining;
            if (drained)
            {
                // Never hand Kestrel a token the drain has cancelled (it would reset the stream) and
                // never wait on a client that is not reading: the bytes stay queued ahead of the trailers.
                _inner.CancelPendingFlush();
                flush = _inner.FlushAsync(CancellationToken.None);
            }
            else
            {
                _flushPending = true;
                flush = _inner.FlushAsync(cancellationToken);
            }
        }

        return flush.IsCompletedSuccessfully ? new ValueTask<FlushResult>(FlushEnded(flush.Result, drained)) : AwaitFlushAsync(flush, drained);
    }

    /// <summary>Ends the call for a drain: <paramref name="endCall"/> cancels the handler's token,
    /// at once when no flush is pending, else as soon as the pending flush (cancelled here with
    /// CancelPendingFlush) has returned. Later flushes do not wait for the client.</summary>
    public void EndForDrain(Action endCall)
    {
        lock (_drainLock)
        {
            _draining = true;
            if (_flushPending)
            {
                _endCall = endCall;
                _inner.CancelPendingFlush();
                return;
            }
        }

        endCall();
    }

    /// <summary>The slow path: the client's window is full (pooled, so no allocation either).</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> AwaitFlushAsync(ValueTask<FlushResult> flush, bool drained)
    {
        FlushResult result = default;
        try
        {
            result = await flush.ConfigureAwait(false);
        }
        finally
        {
            result = FlushEnded(result, drained);
        }

        return result;
    }

    /// <summary>A flush cancelled for the drain counts as done for the writer: its message is in the
    /// response and reaches the client before the trailers, so the feature advances its resume point
    /// past it; the call's token, cancelled here, stops the next write.</summary>
    private FlushResult FlushEnded(FlushResult result, bool drained)
    {
        Action? endCall;
        lock (_drainLock)
        {
            if (!drained)
            {
                _flushPending = false;
            }

            endCall = _endCall;
            _endCall = null;
        }

        endCall?.Invoke();
        return (drained || endCall is not null) && result.IsCanceled ? new FlushResult(isCanceled: false, isCompleted: result.IsCompleted) : result;
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
