using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.Rpc.AspNetCore.Health;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The grpc.health.v1.Health service.</summary>
public static class GrpcHealthExtensions
{
    /// <summary>Registers the <see cref="HealthStatusRegistry"/> singleton.</summary>
    public static IServiceCollection AddGrpcHealth(this IServiceCollection services)
    {
        services.AddSingleton<HealthStatusRegistry>();
        return services;
    }

    /// <summary>Maps grpc.health.v1.Health.</summary>
    public static IEndpointConventionBuilder MapGrpcHealthService(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGrpcService<HealthService>();
}
