using Grpc.Core;

namespace StreamService.Calls;

/// <summary>
/// The <see cref="ServerCallContext"/> a handler gets from <see cref="StreamCallGate"/>: grpc-dotnet's
/// context, with the call's own token (<see cref="StreamCall.Token"/>: the client's, or the service
/// ending the call) and the call's record. Passing a context of its own to the continuation is how a
/// grpc-dotnet interceptor changes what the handler sees; everything else is delegated.
/// </summary>
internal sealed class GatedServerCallContext : ServerCallContext
{
    private readonly ServerCallContext inner;
    private GatedUserState? _userState;

    public GatedServerCallContext(ServerCallContext inner, StreamCall call)
    {
        this.inner = inner;
        Call = call;
    }

    public StreamCall Call { get; }

    protected override string MethodCore => inner.Method;

    protected override string HostCore => inner.Host;

    protected override string PeerCore => inner.Peer;

    protected override DateTime DeadlineCore => inner.Deadline;

    protected override Metadata RequestHeadersCore => inner.RequestHeaders;

    protected override CancellationToken CancellationTokenCore => Call.Token;

    protected override Metadata ResponseTrailersCore => inner.ResponseTrailers;

    protected override Status StatusCore
    {
        get => inner.Status;
        set => inner.Status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    protected override AuthContext AuthContextCore => inner.AuthContext;

    // grpc-dotnet activates the service through GetHttpContext(), which looks the HttpContext up here.
    protected override IDictionary<object, object> UserStateCore => _userState ??= new GatedUserState(Call.Http);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => inner.CreatePropagationToken(options);

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => inner.WriteResponseHeadersAsync(responseHeaders);
}
