using Grpc.Core;

namespace StreamService.Tests.Llm;

/// <summary>A server call context for calling a service class directly, without the wire: the test
/// owns the cancellation (standing in for client cancel, deadline and disconnect alike).</summary>
internal sealed class TestServerCallContext : ServerCallContext
{
    private readonly Metadata _trailers = new();
    private Status _status;
    private WriteOptions? _writeOptions;

    public TestServerCallContext(CancellationToken cancellationToken)
    {
        CancellationTokenCore = cancellationToken;
    }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;

    protected override string MethodCore => "/streamgrpc.v1.LlmService/StreamCompletion";

    protected override string HostCore => "127.0.0.1";

    protected override string PeerCore => "ipv4:127.0.0.1:1";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore { get; } = new();

    protected override CancellationToken CancellationTokenCore { get; }

    protected override Metadata ResponseTrailersCore => _trailers;

    protected override Status StatusCore
    {
        get => _status;
        set => _status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => _writeOptions;
        set => _writeOptions = value;
    }
}

/// <summary>Records what a service writes; an optional hook runs after each write (e.g. to cancel).</summary>
internal sealed class RecordingStreamWriter<T> : IServerStreamWriter<T>
{
    private readonly List<T> _messages = [];
    private readonly Action<T>? _afterWrite;

    public RecordingStreamWriter(Action<T>? afterWrite = null)
    {
        _afterWrite = afterWrite;
    }

    public IReadOnlyList<T> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message)
    {
        lock (_messages)
        {
            _messages.Add(message);
        }

        _afterWrite?.Invoke(message);
        return Task.CompletedTask;
    }
}
