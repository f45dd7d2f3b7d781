using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>Writes response messages of one call into the response <c>PipeWriter</c>. The flush is
/// awaited: it completes only when Kestrel's buffer drains through HTTP/2 flow control, which is
/// how a slow reader slows the handler. With <see cref="GrpcServiceOptions.StalledConsumerTimeout"/>
/// a flush that stays pending longer than that ends the call: a timer (created on the first flush
/// that does not complete at once, re-armed only while a flush is pending) cancels the flush.</summary>
internal sealed class ServerMessageWriter<TResponse> : IDisposable
    where TResponse : class
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Fired = 2;

    private readonly HttpContextServerCallContext _context;
    private readonly Action<TResponse, SerializationContext> _serializer;
    private readonly FramingSerializationContext _serialization = new();
    private Timer? _stallTimer;
    private PipeWriter? _stalledWriter;
    private int _stallState;

    public ServerMessageWriter(HttpContextServerCallContext context, Action<TResponse, SerializationContext> serializer)
    {
        _context = context;
        _serializer = serializer;
    }

    public async Task WriteAsync(TResponse message, CancellationToken cancellationToken)
    {
        var writer = _context.HttpContext.Response.BodyWriter;
        _context.EnsureResponseHeaders();

        var flags = _context.WriteOptions?.Flags ?? default;
        var compression = (flags & WriteFlags.NoCompress) != 0 ? null : _context.ResponseEncoding;
        _serialization.Reset(writer, _context.Options.MaxSendMessageSize, compression, _context.ResponseCompressionLevel);
        _serializer(message, _serialization);

        if ((flags & WriteFlags.BufferHint) != 0)
        {
            return;
        }

        var flush = writer.FlushAsync(cancellationToken);
        var result = flush.IsCompleted || _context.Options.StalledConsumerTimeout is not { } stallTimeout
            ? await flush.ConfigureAwait(false)
            : await FlushWatchedAsync(flush, writer, stallTimeout).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client is no longer reading the response.", cancellationToken);
        }
    }

    /// <summary>The slow path: the client's flow-control window is full. Arms the stall timer for
    /// the duration of this one flush.</summary>
    private async ValueTask<FlushResult> FlushWatchedAsync(ValueTask<FlushResult> flush, PipeWriter writer, TimeSpan stallTimeout)
    {
        _stalledWriter = writer;
        _stallTimer ??= new Timer(static s => ((ServerMessageWriter<TResponse>)s!).OnStalled(), this, Timeout.Infinite, Timeout.Infinite);
        Volatile.Write(ref _stallState, Armed);
        _stallTimer.Change(stallTimeout, Timeout.InfiniteTimeSpan);
        FlushResult result;
        try
        {
            result = await flush.ConfigureAwait(false);
        }
        finally
        {
            _stallTimer.Change(Timeout.Infinite, Timeout.Infinite);
        }

        if (Interlocked.Exchange(ref _stallState, Idle) == Fired)
        {
            // Not an OperationCanceledException: the funnel would report that as a cancellation.
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"The client stopped reading the response for longer than {stallTimeout.TotalSeconds:0.###} s (stalled consumer timeout)."));
        }

        return result;
    }

    private void OnStalled()
    {
        if (Interlocked.CompareExchange(ref _stallState, Fired, Armed) == Armed)
        {
            _stalledWriter?.CancelPendingFlush();
        }
    }

    public void Dispose()
    {
        _stallTimer?.Dispose();
        _serialization.Dispose();
    }
}
