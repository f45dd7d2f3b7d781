using Microsoft.Extensions.Options;
using StreamService.Drain;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers graceful drain.</summary>
internal static class DrainServiceCollectionExtensions
{
    public static IServiceCollection AddStreamDrain(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DrainOptions>()
            .Bind(configuration.GetSection(DrainOptions.SectionName))
            .Validate(o => o.Timeout >= TimeSpan.Zero && o.CompletionGrace >= TimeSpan.Zero, "StreamGrpc:Drain times must not be negative.")
            .ValidateOnStart();
        services.AddSingleton<DrainCoordinator>();
        services.AddHostedService(provider => provider.GetRequiredService<DrainCoordinator>());

        // The host must wait for the drain: its shutdown timeout aborts whatever is still running.
        services.AddOptions<HostOptions>().Configure<IOptions<DrainOptions>>((host, drain) =>
        {
            var needed = drain.Value.Timeout + drain.Value.CompletionGrace;
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return services;
    }
}
