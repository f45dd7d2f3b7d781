using System.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>
/// Receives the methods of <typeparamref name="TService"/> from its generated <c>BindService</c>
/// and maps each to a POST endpoint at <c>/service/method</c>. Generated code passes no handler
/// when bound without an instance, so each method is found on the service type and invoked through
/// an open-instance delegate on the per-call service instance.
/// </summary>
internal sealed class ServiceMethodBinder<TService> : ServiceBinderBase
    where TService : class
{
    private readonly IEndpointRouteBuilder _endpoints;
    private readonly GrpcServiceOptions _options;
    private readonly ILogger _logger;
    private readonly ServiceActivator<TService> _activator = new();

    public ServiceMethodBinder(IEndpointRouteBuilder endpoints, GrpcServiceOptions options, ILoggerFactory loggerFactory)
    {
        _endpoints = endpoints;
        _options = options;
        _logger = loggerFactory.CreateLogger("StreamGrpc.Rpc.Server");
    }

    public List<IEndpointConventionBuilder> EndpointBuilders { get; } = new();

    public List<IMethod> Methods { get; } = new();

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = handler is null
            ? FindMethod(method, typeof(TRequest), typeof(ServerCallContext)).CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>()
            : (_, request, context) => handler(request, context);
        Map(method, new UnaryServerCallHandler<TService, TRequest, TResponse>(method, invoker, _activator, _options, _logger).HandleCallAsync);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = handler is null
            ? FindMethod(method, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)).CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>()
            : (_, requests, context) => handler(requests, context);
        Map(method, new ClientStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, _activator, _options, _logger).HandleCallAsync);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = handler is null
            ? FindMethod(method, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)).CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()
            : (_, request, responses, context) => handler(request, responses, context);
        Map(method, new ServerStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, _activator, _options, _logger).HandleCallAsync);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = handler is null
            ? FindMethod(method, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)).CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()
            : (_, requests, responses, context) => handler(requests, responses, context);
        Map(method, new DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, _activator, _options, _logger).HandleCallAsync);
    }

    private void Map(IMethod method, RequestDelegate handler)
    {
        Methods.Add(method);
        var builder = _endpoints.MapPost(method.FullName, handler)
            .WithDisplayName("gRPC - " + method.FullName)
            .WithMetadata(method);
        EndpointBuilders.Add(builder);
    }

    private static MethodInfo FindMethod(IMethod method, params Type[] parameterTypes)
        => typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameterTypes)
            ?? throw new InvalidOperationException($"Could not find method '{method.Name}' on service type '{typeof(TService)}'.");
}
