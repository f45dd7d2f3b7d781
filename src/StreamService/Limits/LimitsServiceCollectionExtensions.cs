using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using StreamService.Limits;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers per-caller and total limits and Kestrel's HTTP/2 settings.</summary>
internal static class LimitsServiceCollectionExtensions
{
    public static IServiceCollection AddStreamLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LimitsOptions>()
            .Bind(configuration.GetSection(LimitsOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>();
        services.AddSingleton<StreamAdmission>();
        services.AddSingleton<CallerRateLimiter>();
        return services;
    }
}
