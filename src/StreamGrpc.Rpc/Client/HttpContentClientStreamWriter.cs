using Grpc.Core;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.Client;

/// <summary>The request stream of a client- or duplex-streaming call. Each write is framed into a
/// pooled buffer and written to the HTTP/2 request body; the write completes when the transport
/// accepted it (flow control), so a slow server slows the writer.</summary>
internal sealed class HttpContentClientStreamWriter<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IClientStreamWriter<TRequest>
    where TRequest : class
    where TResponse : class
{
    private readonly PooledBufferWriter _buffer = new();
    private readonly FramingSerializationContext _serialization = new();
    private Task _lastWrite = Task.CompletedTask;
    private bool _completed;

    public WriteOptions? WriteOptions { get; set; } = call.WriteOptions;

    public Task WriteAsync(TRequest message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completed)
        {
            return Task.FromException(new InvalidOperationException("Can't write the message because the request stream is complete."));
        }

        if (!_lastWrite.IsCompleted)
        {
            return Task.FromException(new InvalidOperationException("Can't write the message because the previous write is in progress."));
        }

        if (call.FinalStatus is { } status && status.StatusCode != StatusCode.OK)
        {
            return Task.FromException(call.CreateException());
        }

        return _lastWrite = WriteCoreAsync(message, cancellationToken);
    }

    public async Task CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        await _lastWrite.ConfigureAwait(false);
        call.CompleteRequest();
    }

    private async Task WriteCoreAsync(TRequest message, CancellationToken cancellationToken)
    {
        _buffer.Clear();
        var compression = (WriteOptions?.Flags ?? default).HasFlag(WriteFlags.NoCompress) ? null : call.RequestEncoding;
        _serialization.Reset(_buffer, call.MaxSendMessageSize, compression, call.CompressionLevel);
        call.Method.RequestMarshaller.ContextualSerializer(message, _serialization);

        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(call.CallToken, cancellationToken) : null;
        var token = linked?.Token ?? call.CallToken;
        try
        {
            var stream = await call.GetRequestStreamAsync().ConfigureAwait(false);
            await stream.WriteAsync(_buffer.WrittenMemory, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            if (call.FinalStatus is null && !cancellationToken.IsCancellationRequested)
            {
                call.Fail(call.StatusFor(ex, "Error writing a request message"));
            }

            if (cancellationToken.IsCancellationRequested && call.FinalStatus is null)
            {
                throw;
            }

            throw call.CreateException();
        }
    }
}
