using Grpc.Core;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>The <see cref="IServerStreamWriter{T}"/> handed to streaming handlers, built on the
/// call's response body.</summary>
internal sealed class HttpContextStreamWriter<TResponse> : IServerStreamWriter<TResponse>, IDisposable
    where TResponse : class
{
    private readonly HttpContextServerCallContext _context;
    private readonly ServerMessageWriter<TResponse> _writer;
    private readonly CallerCancellationLink _link = new();
    private Task _lastWrite = Task.CompletedTask;

    public HttpContextStreamWriter(HttpContextServerCallContext context, ServerMessageWriter<TResponse> writer)
    {
        _context = context;
        _writer = writer;
    }

    public WriteOptions? WriteOptions
    {
        get => _context.WriteOptions;
        set => _context.WriteOptions = value;
    }

    public Task WriteAsync(TResponse message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(TResponse message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_context.Completed)
        {
            return Task.FromException(new InvalidOperationException("Can't write the message because the call is complete."));
        }

        if (!_lastWrite.IsCompleted)
        {
            return Task.FromException(new InvalidOperationException("Can't write the message because the previous write is in progress."));
        }

        var callToken = _context.CancellationToken;
        if (callToken.IsCancellationRequested)
        {
            return Task.FromCanceled(callToken);
        }

        return _lastWrite = _writer.WriteAsync(message, _link.For(callToken, cancellationToken));
    }

    public void Dispose() => _link.Dispose();
}
