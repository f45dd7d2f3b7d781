namespace Grpc.Core;

/// <summary>Base of generated clients.</summary>
public abstract class ClientBase
{
    /// <summary>For mocking.</summary>
    protected ClientBase()
        : this(new UnimplementedCallInvoker())
    {
    }

    /// <summary>Creates a client over a channel.</summary>
    protected ClientBase(ChannelBase channel)
        : this(channel?.CreateCallInvoker() ?? throw new ArgumentNullException(nameof(channel)))
    {
    }

    /// <summary>Creates a client over a call invoker.</summary>
    protected ClientBase(CallInvoker callInvoker)
        : this(new ClientBaseConfiguration(callInvoker, null))
    {
    }

    /// <summary>Creates a client from a configuration.</summary>
    protected ClientBase(ClientBaseConfiguration configuration)
    {
        Configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        CallInvoker = configuration.CreateDecoratedCallInvoker();
    }

    /// <summary>The invoker calls go through.</summary>
    protected CallInvoker CallInvoker { get; }

    internal ClientBaseConfiguration Configuration { get; }

    private sealed class UnimplementedCallInvoker : CallInvoker
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotImplementedException();

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotImplementedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotImplementedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotImplementedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotImplementedException();
    }
}
