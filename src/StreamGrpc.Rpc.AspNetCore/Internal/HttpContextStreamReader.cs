using Grpc.Core;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>The <see cref="IAsyncStreamReader{T}"/> of request messages for client- and
/// duplex-streaming handlers, built on the request body's <c>PipeReader</c>.</summary>
internal sealed class HttpContextStreamReader<TRequest> : IAsyncStreamReader<TRequest>, IDisposable
    where TRequest : class
{
    private readonly HttpContextServerCallContext _context;
    private readonly Func<DeserializationContext, TRequest> _deserializer;
    private readonly PipeMessageReader _reader;
    private TRequest? _current;
    private bool _ended;

    public HttpContextStreamReader(HttpContextServerCallContext context, Func<DeserializationContext, TRequest> deserializer)
    {
        _context = context;
        _deserializer = deserializer;
        _reader = new PipeMessageReader(context.HttpContext.Request.BodyReader, context.Options.MaxReceiveMessageSize, context.RequestEncoding);
    }

    public TRequest Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        // Drop the previous message before waiting so a long stream does not root it.
        _current = null;
        if (_ended)
        {
            return false;
        }

        if (_context.Completed)
        {
            throw new InvalidOperationException("Can't read messages after the call is complete.");
        }

        var callToken = _context.CancellationToken;
        TRequest? next;
        if (cancellationToken.CanBeCanceled)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken);
            next = await _reader.ReadAsync(_deserializer, linked.Token).ConfigureAwait(false);
        }
        else
        {
            next = await _reader.ReadAsync(_deserializer, callToken).ConfigureAwait(false);
        }

        _current = next;
        _ended = next is null;
        return next is not null;
    }

    public void Dispose() => _reader.Dispose();
}
