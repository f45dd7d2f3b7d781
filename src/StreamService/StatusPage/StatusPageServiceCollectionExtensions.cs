using StreamService.StatusPage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the status page's options.</summary>
internal static class StatusPageServiceCollectionExtensions
{
    public static IServiceCollection AddStatusPage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatusPageOptions>()
            .Bind(configuration.GetSection(StatusPageOptions.SectionName))
            .ValidateOnStart();
        return services;
    }
}
