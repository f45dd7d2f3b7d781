using Grpc.Core;
using Grpc.Net.Client;

namespace StreamGrpc.Rpc.Client;

/// <summary>The <see cref="CallInvoker"/> of a <see cref="GrpcChannel"/>: one HTTP/2 request per call.</summary>
internal sealed class HttpClientCallInvoker(GrpcChannel channel) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        using var call = AsyncUnaryCall(method, host, options, request);

        // The synchronous API of Grpc.Core; asynchronous callers use AsyncUnaryCall.
        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartUnaryRequest(request);
        return new AsyncUnaryCall<TResponse>(call.ReadSingleResponseAsync(), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartUnaryRequest(request);
        return new AsyncServerStreamingCall<TResponse>(new HttpContentClientStreamReader<TRequest, TResponse>(call), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        var writer = call.StartStreamingRequest();
        return new AsyncClientStreamingCall<TRequest, TResponse>(writer, call.ReadSingleResponseAsync(), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        var writer = call.StartStreamingRequest();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(writer, new HttpContentClientStreamReader<TRequest, TResponse>(call), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }
}
