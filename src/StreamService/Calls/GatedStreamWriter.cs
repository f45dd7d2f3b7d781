using Grpc.Core;
using StreamService.Observability;

namespace StreamService.Calls;

/// <summary>
/// The response writer a gated streaming handler writes to: grpc-dotnet's writer, observed. It
/// records what each message delivers (<see cref="StreamProgress"/>: metrics, the resume point),
/// refuses writes once the service has ended the call, and enforces the stalled-consumer timeout:
/// a write that waits longer than that for the client to read (HTTP/2 flow control) ends the call
/// (<see cref="StreamCallEnd.Stalled"/>), so the handler and its cursor, file and buffers are released.
/// grpc-dotnet has no such timeout, and cancelling the token passed to a write resets the stream;
/// a pending write is therefore ended with <see cref="System.IO.Pipelines.PipeWriter.CancelPendingFlush"/>
/// on the response body, which grpc-dotnet treats as a completed flush (its bytes stay queued ahead
/// of the trailers). For the same reason a token the handler passes to a write never reaches
/// grpc-dotnet: it ends the pending write that way, and the write then throws
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class GatedStreamWriter<T> : IServerStreamWriter<T>
    where T : class
{
    private readonly IServerStreamWriter<T> _inner;
    private readonly StreamCall _call;
    private readonly StreamMetrics _metrics;
    private readonly TimeSpan? _stalledConsumerTimeout;

    public GatedStreamWriter(IServerStreamWriter<T> inner, StreamCall call, StreamMetrics metrics, TimeSpan? stalledConsumerTimeout)
    {
        _inner = inner;
        _call = call;
        _metrics = metrics;
        _stalledConsumerTimeout = stalledConsumerTimeout;
    }

    public WriteOptions? WriteOptions
    {
        get => _inner.WriteOptions;
        set => _inner.WriteOptions = value;
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        if (!_call.TryBeginWrite())
        {
            return Task.FromCanceled(_call.Token.IsCancellationRequested ? _call.Token : new CancellationToken(canceled: true));
        }

        // Read before the write: a row batch's buffer goes back to the pool once it is written.
        var bytes = StreamProgress.FramedSize(message);
        var items = StreamProgress.ItemsIn(message);
        var position = StreamProgress.PositionAfter(message);
        Task write;
        try
        {
            write = _inner.WriteAsync(message, CancellationToken.None);
        }
        catch
        {
            _call.EndWrite();
            throw;
        }

        if (write.IsCompletedSuccessfully)
        {
            _call.EndWrite();
            Delivered(bytes, items, position);
            return cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;
        }

        return AwaitWriteAsync(write, bytes, items, position, cancellationToken);
    }

    private async Task AwaitWriteAsync(Task write, long bytes, long items, object? position, CancellationToken cancellationToken)
    {
        var cancelled = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static s => ((StreamCall)s!).CancelPendingWrite(), _call) : default;
        try
        {
            if (_stalledConsumerTimeout is { } timeout)
            {
                try
                {
                    await write.WaitAsync(timeout, CancellationToken.None).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Ends the pending write (and the handler's token); the message is queued.
                    _call.End(StreamCallEnd.Stalled);
                    await write.ConfigureAwait(false);
                }
            }
            else
            {
                await write.ConfigureAwait(false);
            }
        }
        finally
        {
            cancelled.Dispose();
            _call.EndWrite();
        }

        Delivered(bytes, items, position);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Delivered(long bytes, long items, object? position)
    {
        var first = _call.OnSent(bytes, items);
        if (position is not null)
        {
            _call.ResumePoint = position;
        }

        _metrics.Sent(_call, bytes, first);
    }
}
