namespace Grpc.Core;

/// <summary>The server-side view of one call: request metadata, deadline, cancellation, and the
/// response headers, trailers and status the handler controls.</summary>
public abstract class ServerCallContext
{
    private Dictionary<object, object>? _userState;

    /// <summary>Sends response headers now (at most once, before the first message).</summary>
    public Task WriteResponseHeadersAsync(Metadata responseHeaders) => WriteResponseHeadersAsyncCore(responseHeaders);

    /// <summary>The full method name, <c>/service/method</c>.</summary>
    public string Method => MethodCore;

    /// <summary>The <c>:authority</c> the client called.</summary>
    public string Host => HostCore;

    /// <summary>The peer address, e.g. <c>ipv4:127.0.0.1:54321</c>.</summary>
    public string Peer => PeerCore;

    /// <summary>The call deadline in UTC (<see cref="DateTime.MaxValue"/> when none).</summary>
    public DateTime Deadline => DeadlineCore;

    /// <summary>The request headers.</summary>
    public Metadata RequestHeaders => RequestHeadersCore;

    /// <summary>Signalled when the client cancels, resets the stream, disconnects or the deadline passes.</summary>
    public CancellationToken CancellationToken => CancellationTokenCore;

    /// <summary>Trailers sent with the final status.</summary>
    public Metadata ResponseTrailers => ResponseTrailersCore;

    /// <summary>The status to send when the handler returns normally.</summary>
    public Status Status
    {
        get => StatusCore;
        set => StatusCore = value;
    }

    /// <summary>Write options for response messages.</summary>
    public WriteOptions? WriteOptions
    {
        get => WriteOptionsCore;
        set => WriteOptionsCore = value;
    }

    /// <summary>A per-call dictionary for interceptors and handlers to share state.</summary>
    public IDictionary<object, object> UserState => UserStateCore;

    /// <summary>Implementation of <see cref="WriteResponseHeadersAsync"/>.</summary>
    protected abstract Task WriteResponseHeadersAsyncCore(Metadata responseHeaders);

    /// <summary>Implementation of <see cref="Method"/>.</summary>
    protected abstract string MethodCore { get; }

    /// <summary>Implementation of <see cref="Host"/>.</summary>
    protected abstract string HostCore { get; }

    /// <summary>Implementation of <see cref="Peer"/>.</summary>
    protected abstract string PeerCore { get; }

    /// <summary>Implementation of <see cref="Deadline"/>.</summary>
    protected abstract DateTime DeadlineCore { get; }

    /// <summary>Implementation of <see cref="RequestHeaders"/>.</summary>
    protected abstract Metadata RequestHeadersCore { get; }

    /// <summary>Implementation of <see cref="CancellationToken"/>.</summary>
    protected abstract CancellationToken CancellationTokenCore { get; }

    /// <summary>Implementation of <see cref="ResponseTrailers"/>.</summary>
    protected abstract Metadata ResponseTrailersCore { get; }

    /// <summary>Implementation of <see cref="Status"/>.</summary>
    protected abstract Status StatusCore { get; set; }

    /// <summary>Implementation of <see cref="WriteOptions"/>.</summary>
    protected abstract WriteOptions? WriteOptionsCore { get; set; }

    /// <summary>Implementation of <see cref="UserState"/>.</summary>
    protected virtual IDictionary<object, object> UserStateCore => _userState ??= new Dictionary<object, object>();
}
