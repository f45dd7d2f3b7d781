using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.Client;

/// <summary>
/// One client call: a single HTTP/2 request. Owns the call's cancellation (caller's token, deadline,
/// dispose), sends the request, reads response headers, messages and the status (from trailers, or
/// from the headers of a Trailers-Only response), and turns every failure into one status.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IDisposable
    where TRequest : class
    where TResponse : class
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocolConstants.ContentType);

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly string? _host;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _callCts = new();
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _statusLock = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Stream? _requestStream;
    private CancellationTokenRegistration _callerRegistration;
    private CancellationTokenSource? _deadlineCts;
    private Task<bool>? _responseReady;
    private HttpResponseMessage? _response;
    private PipeReader? _pipe;
    private PipeMessageReader? _reader;
    private PushStreamContent? _pushContent;
    private ICompressionProvider? _requestEncoding;
    private Status? _status;
    private Metadata? _trailers;
    private volatile int _cancelReason; // 0 none, 1 caller, 2 deadline, 3 disposed

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        if (channel.IsDisposed)
        {
            throw new ObjectDisposedException(nameof(GrpcChannel));
        }

        _channel = channel;
        _method = method;
        _host = host;
        _options = options;
    }

    public Method<TRequest, TResponse> Method => _method;

    public CancellationToken CallToken => _callCts.Token;

    public ICompressionProvider? RequestEncoding => _requestEncoding;

    public int? MaxSendMessageSize => _channel.MaxSendMessageSize;

    public System.IO.Compression.CompressionLevel CompressionLevel => _channel.CompressionLevel;

    public WriteOptions? WriteOptions => _options.WriteOptions;

    public void StartUnaryRequest(TRequest request)
    {
        if (!Prepare(out var timeout))
        {
            return;
        }

        var buffer = new PooledBufferWriter();
        try
        {
            using var serialization = new FramingSerializationContext();
            var compression = (_options.WriteOptions?.Flags ?? default).HasFlag(WriteFlags.NoCompress) ? null : _requestEncoding;
            serialization.Reset(buffer, _channel.MaxSendMessageSize, compression, _channel.CompressionLevel);
            _method.RequestMarshaller.ContextualSerializer(request, serialization);
        }
        catch (Exception ex)
        {
            buffer.Dispose();
            Fail(ClientErrorMapping.ToStatus(ex, "Error serializing the request"));
            return;
        }

        Send(new PooledBufferContent(buffer), timeout);
    }

    public HttpContentClientStreamWriter<TRequest, TResponse> StartStreamingRequest()
    {
        var writer = new HttpContentClientStreamWriter<TRequest, TResponse>(this);
        if (Prepare(out var timeout))
        {
            _pushContent = new PushStreamContent();
            Send(_pushContent, timeout);
        }

        return writer;
    }

    /// <summary>The request body stream, once the handler starts sending it.</summary>
    public async ValueTask<Stream> GetRequestStreamAsync()
    {
        if (_requestStream is not null)
        {
            return _requestStream;
        }

        if (_pushContent is null)
        {
            throw CreateException();
        }

        var stream = _pushContent.GetStreamAsync();
        if (await Task.WhenAny(stream, _finished.Task).ConfigureAwait(false) == stream)
        {
            return _requestStream = await stream.ConfigureAwait(false);
        }

        // The call finished (e.g. the server answered with an error) before the body was requested.
        throw CreateException();
    }

    public void CompleteRequest() => _pushContent?.Complete();

    public Task<Metadata> GetResponseHeadersAsync() => _headers.Task;

    /// <summary>Reads the next response message; null at the end of a successful stream. A non-OK
    /// status is thrown as <see cref="RpcException"/>.</summary>
    /// <remarks>Per-message hot path of every streaming call. While the reader keeps up with a
    /// stream, the next message is usually already whole in the pipe's buffer: it is taken
    /// synchronously, with no async machinery, no task and no token registration. Anything else
    /// (waiting for bytes, end of stream, a cancelled caller or call, a finished call) goes the
    /// asynchronous way.</remarks>
    public ValueTask<TResponse?> ReadNextAsync(CancellationToken cancellationToken)
    {
        if (_status is null
            && _reader is { } reader
            && !cancellationToken.IsCancellationRequested
            && !_callCts.IsCancellationRequested
            && _responseReady is { IsCompletedSuccessfully: true, Result: true })
        {
            try
            {
                if (reader.TryReadBuffered(_method.ResponseMarshaller.ContextualDeserializer, out var message))
                {
                    return new ValueTask<TResponse?>(message);
                }
            }
            catch (Exception ex)
            {
                // The slow path then reports the status exactly as a failed read does.
                Fail(StatusFor(ex, "Error reading the response"));
            }
        }

        return ReadNextSlowAsync(cancellationToken);
    }

    private async ValueTask<TResponse?> ReadNextSlowAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(1), this) : default;
        if (_responseReady is null || !await _responseReady.ConfigureAwait(false))
        {
            return StatusOrThrow();
        }

        if (_status is not null)
        {
            // Finished earlier (cancelled, failed, or read to the end).
            return StatusOrThrow();
        }

        try
        {
            var message = await _reader!.ReadAsync(_method.ResponseMarshaller.ContextualDeserializer, _callCts.Token).ConfigureAwait(false);
            if (message is not null)
            {
                return message;
            }

            Finish(ReadStatusFromTrailers(_response!), ReadMetadata(_response!.TrailingHeaders));
        }
        catch (Exception ex)
        {
            Fail(StatusFor(ex, "Error reading the response"));
        }

        return StatusOrThrow();
    }

    /// <summary>The response of a unary or client-streaming call: exactly one message, then OK.</summary>
    public async Task<TResponse> ReadSingleResponseAsync()
    {
        var message = await ReadNextAsync(CancellationToken.None).ConfigureAwait(false);
        if (message is null)
        {
            Fail(new Status(StatusCode.Internal, "The server ended the call with OK but sent no response message."));
            throw CreateException();
        }

        if (await ReadNextAsync(CancellationToken.None).ConfigureAwait(false) is not null)
        {
            Fail(new Status(StatusCode.Internal, "The server sent more than one response message for a unary response."));
            throw CreateException();
        }

        return message;
    }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() => _trailers ?? throw new InvalidOperationException("Unable to get the trailers because the call is not complete.");

    /// <summary>The exception for the call's final status.</summary>
    public Exception CreateException()
    {
        var status = _status ?? new Status(StatusCode.Internal, "The call ended without a status.");
        if (status.StatusCode == StatusCode.Cancelled && _cancelReason == 1 && _channel.ThrowOperationCanceledOnCancellation)
        {
            return new OperationCanceledException(_options.CancellationToken);
        }

        return new RpcException(status, _trailers ?? Metadata.Empty);
    }

    /// <summary>Maps a failure, preferring the reason this call cancelled itself.</summary>
    public Status StatusFor(Exception ex, string stage) => _cancelReason switch
    {
        1 => ClientErrorMapping.CancelledByClient,
        2 => ClientErrorMapping.DeadlineExceeded,
        3 => ClientErrorMapping.Disposed,
        _ => _status ?? ClientErrorMapping.ToStatus(ex, stage),
    };

    public void Fail(Status status)
    {
        Finish(status, null);
        Cancel(0);
    }

    public void Dispose()
    {
        if (_status is null)
        {
            Cancel(3);
            Finish(ClientErrorMapping.Disposed, null);
        }

        _callerRegistration.Dispose();
        _deadlineCts?.Dispose();
        _pushContent?.Abort();
        _reader?.Dispose();
        _response?.Dispose();
    }

    private TResponse? StatusOrThrow()
    {
        if (_status is { StatusCode: StatusCode.OK })
        {
            return null;
        }

        throw CreateException();
    }

    private bool Prepare(out TimeSpan? timeout)
    {
        timeout = null;
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                Finish(ClientErrorMapping.DeadlineExceeded, null);
                _headers.TrySetException(CreateException());
                return false;
            }

            timeout = remaining;
            if (remaining < TimeSpan.FromMilliseconds(uint.MaxValue - 1))
            {
                _deadlineCts = new CancellationTokenSource();
                _deadlineCts.Token.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(2), this);
                _deadlineCts.CancelAfter(remaining);
            }
        }

        if (_options.CancellationToken.CanBeCanceled)
        {
            if (_options.CancellationToken.IsCancellationRequested)
            {
                _cancelReason = 1;
                Finish(ClientErrorMapping.CancelledByClient, null);
                _headers.TrySetException(CreateException());
                return false;
            }

            _callerRegistration = _options.CancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(1), this);
        }

        if (_options.Headers?.Get(GrpcProtocolConstants.CompressionRequestHeader) is { } requested)
        {
            if (!CompressionProviders.TryGet(requested.Value, out _requestEncoding))
            {
                throw new InvalidOperationException($"Unsupported request compression '{requested.Value}'.");
            }
        }

        return true;
    }

    private void Send(HttpContent content, TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };

        content.Headers.ContentType = GrpcContentType;
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocolConstants.TEHeader, GrpcProtocolConstants.TEValue);
        headers.TryAddWithoutValidation(GrpcProtocolConstants.UserAgentHeader, GrpcProtocolConstants.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocolConstants.MessageAcceptEncodingHeader, CompressionProviders.AcceptEncodingValue);
        if (_requestEncoding is not null)
        {
            headers.TryAddWithoutValidation(GrpcProtocolConstants.MessageEncodingHeader, _requestEncoding.EncodingName);
        }

        if (timeout is { } t)
        {
            headers.TryAddWithoutValidation(GrpcProtocolConstants.TimeoutHeader, GrpcTimeout.Format(t));
        }

        if (_host is not null)
        {
            headers.Host = _host;
        }

        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                if (!GrpcProtocolConstants.IsReservedHeader(entry.Key))
                {
                    headers.TryAddWithoutValidation(entry.Key, MetadataEncoding.EncodeValue(entry));
                }
            }
        }

        _responseReady = SendCoreAsync(request);
    }

    private async Task<bool> SendCoreAsync(HttpRequestMessage request)
    {
        try
        {
            var response = await _channel.Invoker.SendAsync(request, _callCts.Token).ConfigureAwait(false);
            _response = response;

            // Once headers are in, the request token no longer reaches the stream: cancelling the
            // call must dispose the response, which resets the stream (RST_STREAM CANCEL) so the
            // server's handler observes the cancellation at once.
            _callCts.Token.UnsafeRegister(static r => ((HttpResponseMessage)r!).Dispose(), response);
            var headers = ReadMetadata(response.Headers);
            if (ValidateResponseHeaders(response) is { } headerStatus)
            {
                // Trailers-Only response, or a response that is not gRPC at all.
                Finish(headerStatus, headers);
                _headers.TrySetResult(headers);
                return false;
            }

            _headers.TrySetResult(headers);
            var stream = await response.Content.ReadAsStreamAsync(_callCts.Token).ConfigureAwait(false);
            _pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
            _reader = new PipeMessageReader(_pipe, _channel.MaxReceiveMessageSize, ResponseEncoding(response));
            return true;
        }
        catch (Exception ex)
        {
            Fail(StatusFor(ex, "Error starting the call"));
            _headers.TrySetException(CreateException());
            return false;
        }
        finally
        {
            request.Dispose();
        }
    }

    private static ICompressionProvider? ResponseEncoding(HttpResponseMessage response)
    {
        if (!response.Headers.NonValidated.TryGetValues(GrpcProtocolConstants.MessageEncodingHeader, out var values))
        {
            return null;
        }

        var name = values.ToString();
        return CompressionProviders.TryGet(name, out var provider)
            ? provider
            : throw new RpcException(new Status(StatusCode.Internal, $"The server used an unsupported grpc-encoding '{name}'."));
    }

    private static Status? ValidateResponseHeaders(HttpResponseMessage response)
    {
        var statusInHeaders = ReadStatus(response.Headers);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return statusInHeaders ?? new Status(HttpStatusMapping.ToStatusCode(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}.");
        }

        var contentType = response.Content.Headers.NonValidated.TryGetValues("content-type", out var ct) ? ct.ToString() : null;
        if (!GrpcProtocolConstants.IsGrpcContentType(contentType))
        {
            return statusInHeaders ?? new Status(StatusCode.Unknown, $"Bad gRPC response. Invalid content-type value: {contentType ?? "(none)"}.");
        }

        return statusInHeaders;
    }

    private static Status ReadStatusFromTrailers(HttpResponseMessage response)
        => ReadStatus(response.TrailingHeaders)
            ?? new Status(StatusCode.Internal, "The server ended the response without a grpc-status.");

    private static Status? ReadStatus(HttpHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues(GrpcProtocolConstants.StatusTrailer, out var statusValues))
        {
            return null;
        }

        var message = headers.NonValidated.TryGetValues(GrpcProtocolConstants.MessageTrailer, out var messageValues)
            ? PercentEncoding.Decode(messageValues.ToString())
            : string.Empty;
        return int.TryParse(statusValues.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? new Status((StatusCode)code, message)
            : new Status(StatusCode.Unknown, $"The server sent an invalid grpc-status '{statusValues}'.");
    }

    private static Metadata ReadMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers.NonValidated)
        {
            MetadataEncoding.AddHeader(metadata, header.Key, header.Value);
        }

        return metadata;
    }

    private void Finish(Status status, Metadata? trailers)
    {
        lock (_statusLock)
        {
            if (_status is not null)
            {
                return;
            }

            _trailers = trailers ?? Metadata.Empty;
            _status = status;
        }

        _finished.TrySetResult();
        _deadlineCts?.Dispose();
        _callerRegistration.Dispose();
        _pushContent?.Abort();
    }

    /// <summary>Whether the call has its final status.</summary>
    public bool IsFinished => _status is not null;

    public Status? FinalStatus => _status;

    private void Cancel(int reason)
    {
        if (reason != 0 && _status is null)
        {
            _cancelReason = reason;
        }

        try
        {
            // Cancelling the HTTP request makes SocketsHttpHandler send RST_STREAM(CANCEL).
            _callCts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

}
