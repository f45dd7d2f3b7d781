using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>One request, a stream of responses.</summary>
internal sealed class ServerStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> _invoker;

    public ServerStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker, ServiceActivator<TService> activator, GrpcServiceOptions options, ILogger logger)
        : base(method, activator, options, logger)
        => _invoker = invoker;

    protected override async Task HandleCallCoreAsync(HttpContext httpContext, HttpContextServerCallContext context, TService service)
    {
        var request = await ReadSingleRequestAsync(httpContext, context).ConfigureAwait(false);
        using var writer = new ServerMessageWriter<TResponse>(context, Method.ResponseMarshaller.ContextualSerializer);
        using var streamWriter = new HttpContextStreamWriter<TResponse>(context, writer);
        await _invoker(service, request, streamWriter, context).ConfigureAwait(false);
    }
}
