using System.IO.Compression;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>
/// The <see cref="ServerCallContext"/> of one call, built on the request's <see cref="HttpContext"/>:
/// owns the call's cancellation (client reset/disconnect or deadline), the response headers and
/// trailers, and the message encodings negotiated for the call.
/// </summary>
internal sealed class HttpContextServerCallContext : ServerCallContext, IDisposable
{
    private readonly CancellationTokenSource _callCts;
    private readonly CancellationTokenRegistration _abortRegistration;
    private CancellationTokenSource? _deadlineCts;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Status _status = Status.DefaultSuccess;
    private DateTime _deadline = DateTime.MaxValue;
    private int _deadlineExceeded;

    public HttpContextServerCallContext(HttpContext httpContext, string method, GrpcServiceOptions options, ILogger logger)
    {
        HttpContext = httpContext;
        MethodName = method;
        Options = options;
        Logger = logger;
        _callCts = new CancellationTokenSource();
        _abortRegistration = httpContext.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _callCts);
    }

    public HttpContext HttpContext { get; }

    public string MethodName { get; }

    public GrpcServiceOptions Options { get; }

    public ILogger Logger { get; }

    /// <summary>Encoding of incoming messages (grpc-encoding of the request); null for identity.</summary>
    public ICompressionProvider? RequestEncoding { get; private set; }

    /// <summary>Encoding of outgoing messages; null for identity.</summary>
    public ICompressionProvider? ResponseEncoding { get; private set; }

    public bool DeadlineExceeded => Volatile.Read(ref _deadlineExceeded) == 1;

    public bool ClientAborted => HttpContext.RequestAborted.IsCancellationRequested;

    /// <summary>Whether the handler has finished; later writes are refused.</summary>
    public bool Completed { get; set; }

    protected override string MethodCore => MethodName;

    protected override string HostCore => HttpContext.Request.Host.Value ?? string.Empty;

    protected override string PeerCore
    {
        get
        {
            var connection = HttpContext.Connection;
            return connection.RemoteIpAddress switch
            {
                null => "unknown",
                { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => $"ipv6:[{ip}]:{connection.RemotePort}",
                var ip => $"ipv4:{ip}:{connection.RemotePort}",
            };
        }
    }

    protected override DateTime DeadlineCore => _deadline;

    protected override Metadata RequestHeadersCore => _requestHeaders ??= ReadRequestHeaders();

    protected override CancellationToken CancellationTokenCore => _callCts.Token;

    protected override Metadata ResponseTrailersCore => _responseTrailers ??= new Metadata();

    protected override Status StatusCore
    {
        get => _status;
        set => _status = value;
    }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    /// <summary>Reads the call's protocol headers: grpc-timeout and grpc-encoding. Returns a status
    /// to fail the call with when they are unusable.</summary>
    public Status? Initialize()
    {
        var request = HttpContext.Request;
        var timeoutHeader = request.Headers[GrpcProtocolConstants.TimeoutHeader].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out var timeout))
            {
                return new Status(StatusCode.Internal, "Malformed grpc-timeout header.");
            }

            StartDeadline(timeout);
        }

        var encoding = request.Headers[GrpcProtocolConstants.MessageEncodingHeader].ToString();
        if (!CompressionProviders.TryGet(encoding, out var requestEncoding))
        {
            // The spec: an unsupported encoding is UNIMPLEMENTED, with the ones we accept listed.
            HttpContext.Response.Headers[GrpcProtocolConstants.MessageAcceptEncodingHeader] = CompressionProviders.AcceptEncodingValue;
            return new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {CompressionProviders.AcceptEncodingValue}.");
        }

        RequestEncoding = requestEncoding;
        if (Options.ResponseCompressionAlgorithm is { } algorithm)
        {
            SelectResponseEncoding(algorithm);
        }

        return null;
    }

    /// <summary>Sets headers (the gRPC ones plus any the handler added) before the first byte of body.</summary>
    public void EnsureResponseHeaders()
    {
        var response = HttpContext.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.ContentType = GrpcProtocolConstants.ContentType;
        response.Headers[GrpcProtocolConstants.MessageAcceptEncodingHeader] = CompressionProviders.AcceptEncodingValue;
        if (ResponseEncoding is not null)
        {
            response.Headers[GrpcProtocolConstants.MessageEncodingHeader] = ResponseEncoding.EncodingName;
        }
    }

    public CompressionLevel ResponseCompressionLevel => Options.ResponseCompressionLevel;

    protected override async Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        var response = HttpContext.Response;
        if (response.HasStarted)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call.");
        }

        foreach (var entry in responseHeaders)
        {
            if (entry.Key == GrpcProtocolConstants.CompressionRequestHeader)
            {
                SelectResponseEncoding(entry.Value);
                continue;
            }

            if (GrpcProtocolConstants.IsReservedHeader(entry.Key))
            {
                continue;
            }

            response.Headers.Append(entry.Key, MetadataEncoding.EncodeValue(entry));
        }

        EnsureResponseHeaders();
        await response.BodyWriter.FlushAsync(CancellationTokenCore).ConfigureAwait(false);
    }

    /// <summary>Ends the call with a status: in the trailers, or in the headers (Trailers-Only) when
    /// nothing was sent yet.</summary>
    public void WriteStatus(Status status, Metadata? extraTrailers)
    {
        var response = HttpContext.Response;
        var message = string.IsNullOrEmpty(status.Detail) ? null : PercentEncoding.Encode(status.Detail);
        if (!response.HasStarted)
        {
            // Trailers-Only: one HEADERS frame with END_STREAM carrying the status.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcProtocolConstants.ContentType;
            response.Headers[GrpcProtocolConstants.StatusTrailer] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (message is not null)
            {
                response.Headers[GrpcProtocolConstants.MessageTrailer] = message;
            }

            AppendMetadata(response.Headers, _responseTrailers);
            AppendMetadata(response.Headers, extraTrailers);
            return;
        }

        var trailers = HttpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        if (trailers is null || trailers.IsReadOnly)
        {
            // The connection is gone or trailers were already sent; nothing more can reach the client.
            return;
        }

        trailers[GrpcProtocolConstants.StatusTrailer] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (message is not null)
        {
            trailers[GrpcProtocolConstants.MessageTrailer] = message;
        }

        AppendMetadata(trailers, _responseTrailers);
        AppendMetadata(trailers, extraTrailers);
    }

    public void Dispose()
    {
        _abortRegistration.Dispose();
        _deadlineCts?.Dispose();
        _callCts.Dispose();
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var entry in metadata)
        {
            if (!GrpcProtocolConstants.IsReservedHeader(entry.Key))
            {
                headers.Append(entry.Key, MetadataEncoding.EncodeValue(entry));
            }
        }
    }

    private void SelectResponseEncoding(string algorithm)
    {
        var accepted = HttpContext.Request.Headers[GrpcProtocolConstants.MessageAcceptEncodingHeader].ToString();
        if (CompressionProviders.TryGet(algorithm, out var provider) && provider is not null && CompressionProviders.Accepts(accepted, provider.EncodingName))
        {
            ResponseEncoding = provider;
        }
    }

    private void StartDeadline(TimeSpan timeout)
    {
        _deadline = DateTime.UtcNow + timeout;

        // CancellationTokenSource timers max out at ~49 days; a longer deadline is effectively none.
        var max = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
        if (timeout > max)
        {
            return;
        }

        _deadlineCts = new CancellationTokenSource();
        _deadlineCts.Token.UnsafeRegister(static s =>
        {
            var self = (HttpContextServerCallContext)s!;
            Interlocked.Exchange(ref self._deadlineExceeded, 1);
            try
            {
                self._callCts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call finished while the timer fired.
            }
        }, this);
        _deadlineCts.CancelAfter(timeout <= TimeSpan.Zero ? TimeSpan.FromTicks(1) : timeout);
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var header in HttpContext.Request.Headers)
        {
            MetadataEncoding.AddHeader(metadata, header.Key, header.Value);
        }

        return metadata;
    }
}
