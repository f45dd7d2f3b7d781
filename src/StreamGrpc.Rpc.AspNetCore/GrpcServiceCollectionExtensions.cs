using StreamGrpc.Rpc.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the gRPC server runtime.</summary>
public static class GrpcServiceCollectionExtensions
{
    /// <summary>Adds the gRPC server runtime; map services with <c>MapGrpcService&lt;T&gt;()</c>.</summary>
    public static IServiceCollection AddGrpc(this IServiceCollection services, Action<GrpcServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRouting();
        services.AddOptions<GrpcServiceOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddSingleton<GrpcServiceRegistry>();
        return services;
    }
}
