using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StreamClient;

/// <summary>Registers the typed client in dependency injection (for services that consume StreamGrpc).</summary>
public static class StreamGrpcClientServiceCollectionExtensions
{
    /// <summary>Adds a singleton <see cref="StreamGrpcClient"/> configured by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddStreamGrpcClient(this IServiceCollection services, Action<StreamGrpcClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(_ =>
        {
            var options = new StreamGrpcClientOptions();
            configure(options);
            return new StreamGrpcClient(options);
        });
        return services;
    }
}
