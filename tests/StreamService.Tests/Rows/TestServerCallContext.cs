using Grpc.Core;

namespace StreamService.Tests.Rows;

/// <summary>A server call context for calling a service class directly (domain-level tests).</summary>
internal sealed class TestServerCallContext(CancellationToken cancellationToken) : ServerCallContext
{
    private readonly Metadata _trailers = [];

    protected override string MethodCore => "/streamgrpc.v1.RowsService/StreamRows";
    protected override string HostCore => "127.0.0.1";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; } = [];
    protected override CancellationToken CancellationTokenCore => cancellationToken;
    protected override Metadata ResponseTrailersCore => _trailers;
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
