using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StreamClient;

/// <summary>Registers the typed client in dependency injection (for services that consume StreamGrpc).</summary>
public static class StreamGrpcClientServiceCollectionExtensions
{
    private const string ClientName = nameof(StreamGrpcClient);

    /// <summary>
    /// Adds <see cref="StreamGrpcClient"/> through Grpc.Net.ClientFactory: each resolution is a
    /// client over the factory's pooled HTTP/2 handler (<see cref="StreamGrpcClient.CreateHandler"/>),
    /// configured by <paramref name="configure"/>. Returns the client's <see cref="IHttpClientBuilder"/>
    /// for further handlers or interceptors (e.g. <c>.EnableCallContextPropagation()</c>). The first
    /// registration wins: a library that registers the client again does not change the address.
    /// </summary>
    public static IHttpClientBuilder AddStreamGrpcClient(this IServiceCollection services, Action<StreamGrpcClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(Registered)))
        {
            return services.AddHttpClient(ClientName);
        }

        services.AddSingleton<Registered>();
        services.AddOptions<StreamGrpcClientOptions>().Configure(configure);
        return services
            .AddGrpcClient<StreamGrpcClient>(ClientName, static (provider, factory) =>
            {
                var options = provider.GetRequiredService<IOptions<StreamGrpcClientOptions>>().Value;
                factory.Address = options.Address;
                factory.ChannelOptionsActions.Add(channel => channel.MaxReceiveMessageSize = options.MaxReceiveMessageSize);
            })
            .ConfigurePrimaryHttpMessageHandler(static provider => StreamGrpcClient.CreateHandler(provider.GetRequiredService<IOptions<StreamGrpcClientOptions>>().Value));
    }

    /// <summary>Marks the first registration.</summary>
    private sealed class Registered;
}
