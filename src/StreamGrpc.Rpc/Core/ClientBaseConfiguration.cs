namespace Grpc.Core;

/// <summary>What a generated client is built from: the invoker and an optional host override.</summary>
public class ClientBaseConfiguration
{
    private readonly CallInvoker _undecoratedCallInvoker;
    private readonly string? _host;

    /// <summary>Creates a configuration.</summary>
    protected internal ClientBaseConfiguration(CallInvoker callInvoker, string? host)
    {
        _undecoratedCallInvoker = callInvoker ?? throw new ArgumentNullException(nameof(callInvoker));
        _host = host;
    }

    internal CallInvoker CreateDecoratedCallInvoker()
        => _host is null ? _undecoratedCallInvoker : new HostOverridingCallInvoker(_undecoratedCallInvoker, _host);

    internal ClientBaseConfiguration WithHost(string host) => new(_undecoratedCallInvoker, host);

    private sealed class HostOverridingCallInvoker(CallInvoker inner, string host) : CallInvoker
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? _, CallOptions options, TRequest request)
            => inner.BlockingUnaryCall(method, host, options, request);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? _, CallOptions options, TRequest request)
            => inner.AsyncUnaryCall(method, host, options, request);

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? _, CallOptions options, TRequest request)
            => inner.AsyncServerStreamingCall(method, host, options, request);

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? _, CallOptions options)
            => inner.AsyncClientStreamingCall(method, host, options);

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? _, CallOptions options)
            => inner.AsyncDuplexStreamingCall(method, host, options);
    }
}
