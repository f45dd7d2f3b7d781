using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>One request, one response.</summary>
internal sealed class UnaryServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, TRequest, ServerCallContext, Task<TResponse>> _invoker;

    public UnaryServerCallHandler(Method<TRequest, TResponse> method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker, ServiceActivator<TService> activator, GrpcServiceOptions options, ILogger logger)
        : base(method, activator, options, logger)
        => _invoker = invoker;

    protected override async Task HandleCallCoreAsync(HttpContext httpContext, HttpContextServerCallContext context, TService service)
    {
        var request = await ReadSingleRequestAsync(httpContext, context).ConfigureAwait(false);
        var response = await _invoker(service, request, context).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The handler returned no response message.");
        if (context.Status.StatusCode != StatusCode.OK || context.DeadlineExceeded)
        {
            return;
        }

        using var writer = new ServerMessageWriter<TResponse>(context, Method.ResponseMarshaller.ContextualSerializer);
        await writer.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
    }
}
