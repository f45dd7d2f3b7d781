using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>Writes response messages of one call into the response <c>PipeWriter</c>. The flush is
/// awaited: it completes only when Kestrel's buffer drains through HTTP/2 flow control, which is
/// how a slow reader slows the handler.</summary>
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

        var result = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client is no longer reading the response.", cancellationToken);
        }
    }

    public void Dispose() => _serialization.Dispose();
}
