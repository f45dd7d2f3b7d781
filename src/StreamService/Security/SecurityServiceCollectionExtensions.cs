using Microsoft.Extensions.Options;
using StreamService.Security;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers bearer-token authentication and scope authorisation.</summary>
internal static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddStreamAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<AuthOptions>, AuthOptionsSetup>();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<JwtAuthenticator>();
        services.AddSingleton<BearerTokenAuthenticator>();
        services.AddSingleton<IStreamAuthorizer, StreamAuthorizer>();
        services.AddHostedService<AuthModeAnnouncement>();
        return services;
    }
}
