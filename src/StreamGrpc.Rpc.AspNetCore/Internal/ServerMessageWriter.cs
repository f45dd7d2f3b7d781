using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>Writes response messages of one call into the response <c>PipeWriter</c>. The flush is
/// awaited: it completes only when Kestrel's buffer drains through HTTP/2 flow control, which is
/// how a slow reader slows the handler.</summary>
/// <remarks>This is the server's per-message hot path. A write whose flush completes at once (the
/// common case while the client keeps up) allocates nothing: no async state machine, no task. Only
/// a write that has to wait for flow control pays for the one <see cref="Task"/> the
/// <see cref="IServerStreamWriter{T}"/> API returns.</remarks>
internal sealed class ServerMessageWriter<TResponse> : IDisposable
    where TResponse : class
{
    private readonly HttpContextServerCallContext _context;
    private readonly Action<TResponse, SerializationContext> _serializer;
    private readonly FramingSerializationContext _serialization = new();

    public ServerMessageWriter(HttpContextServerCallContext context, Action<TResponse, SerializationContext> serializer)
    {
        _context = context;
        _serializer = serializer;
    }

    public Task WriteAsync(TResponse message, CancellationToken cancellationToken)
    {
        try
        {
            var writer = _context.HttpContext.Response.BodyWriter;
            _context.EnsureResponseHeaders();

            var flags = _context.WriteOptions?.Flags ?? default;
            var compression = (flags & WriteFlags.NoCompress) != 0 ? null : _context.ResponseEncoding;
            _serialization.Reset(writer, _context.Options.MaxSendMessageSize, compression, _context.ResponseCompressionLevel);
            _serializer(message, _serialization);

            return (flags & WriteFlags.BufferHint) != 0 ? Task.CompletedTask : FlushAsync(writer, cancellationToken);
        }
        catch (Exception ex)
        {
            return FailAsync(ex);
        }
    }

    public void Dispose() => _serialization.Dispose();

    private static Task FlushAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        var flush = writer.FlushAsync(cancellationToken);
        if (!flush.IsCompletedSuccessfully)
        {
            return AwaitFlushAsync(flush, cancellationToken);
        }

        return IsWritable(flush.Result) ? Task.CompletedTask : FailAsync(ClientGone(cancellationToken));
    }

    private static async Task AwaitFlushAsync(ValueTask<FlushResult> flush, CancellationToken cancellationToken)
    {
        if (!IsWritable(await flush.ConfigureAwait(false)))
        {
            throw ClientGone(cancellationToken);
        }
    }

    private static bool IsWritable(FlushResult result) => !result.IsCanceled && !result.IsCompleted;

    private static OperationCanceledException ClientGone(CancellationToken cancellationToken)
        => new("The client is no longer reading the response.", cancellationToken);

    /// <summary>Surfaces a failure the way an async method does (an <see cref="OperationCanceledException"/>
    /// gives a cancelled task), so callers see the same task states as before the fast path.</summary>
    private static async Task FailAsync(Exception exception)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        ExceptionDispatchInfo.Throw(exception);
    }
}
