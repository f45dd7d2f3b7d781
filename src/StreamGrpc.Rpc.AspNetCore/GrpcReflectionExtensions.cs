using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.Rpc.AspNetCore.Reflection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Server reflection (grpc.reflection.v1 and v1alpha), so tools such as grpcurl can list
/// and describe services without the proto files.</summary>
public static class GrpcReflectionExtensions
{
    /// <summary>Registers reflection.</summary>
    public static IServiceCollection AddGrpcReflection(this IServiceCollection services)
    {
        services.AddSingleton<ReflectionRequestHandler>();
        return services;
    }

    /// <summary>Maps both reflection versions (v1 first: current tools ask for it first).</summary>
    public static IEndpointConventionBuilder MapGrpcReflectionService(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGrpcService<ReflectionServiceV1>();
        var v1Alpha = endpoints.MapGrpcService<ReflectionServiceV1Alpha>();
        return new PairConventionBuilder(v1, v1Alpha);
    }

    private sealed class PairConventionBuilder(IEndpointConventionBuilder first, IEndpointConventionBuilder second) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            first.Add(convention);
            second.Add(convention);
        }
    }
}
