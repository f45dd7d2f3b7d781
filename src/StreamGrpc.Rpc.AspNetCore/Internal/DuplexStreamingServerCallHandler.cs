using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>Streams in both directions.</summary>
internal sealed class DuplexStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> _invoker;

    public DuplexStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker, ServiceActivator<TService> activator, GrpcServiceOptions options, ILogger logger)
        : base(method, activator, options, logger)
        => _invoker = invoker;

    protected override async Task HandleCallCoreAsync(HttpContext httpContext, HttpContextServerCallContext context, TService service)
    {
        using var reader = new HttpContextStreamReader<TRequest>(context, Method.RequestMarshaller.ContextualDeserializer);
        using var writer = new ServerMessageWriter<TResponse>(context, Method.ResponseMarshaller.ContextualSerializer);
        using var streamWriter = new HttpContextStreamWriter<TResponse>(context, writer);
        await _invoker(service, reader, streamWriter, context).ConfigureAwait(false);
    }
}
