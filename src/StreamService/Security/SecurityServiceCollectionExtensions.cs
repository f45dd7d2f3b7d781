using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamService.Security;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers authentication (ASP.NET Core's, with JwtBearer and API-key schemes behind a
/// policy scheme) and scope authorization (a requirement evaluated by IAuthorizationService).</summary>
internal static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Microsoft.IdentityModel's ConfigurationManager refreshes the issuer's keys in the background
    /// by default, so the call whose unknown <c>kid</c> asked for the refresh is still checked
    /// against the old keys and refused. Blocking refreshes make that call wait for the new JWKS
    /// (rate-limited by RefreshInterval), so a token signed with a freshly rotated key is accepted
    /// the first time it is seen. Process-wide: read once, before the first refresh.
    /// </summary>
    private const string BlockingConfigurationRefresh = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    public static IServiceCollection AddStreamAuth(this IServiceCollection services, IConfiguration configuration)
    {
        AppContext.SetSwitch(BlockingConfigurationRefresh, true);

        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<AuthOptions>, AuthOptionsSetup>();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<ApiKeyAuthenticator>();

        services.AddAuthentication(StreamAuthenticationSchemes.Default)
            .AddPolicyScheme(StreamAuthenticationSchemes.Default, "API key or JWT", _ => { })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(StreamAuthenticationSchemes.ApiKey, "API key", _ => { })
            .AddScheme<AuthenticationSchemeOptions, AnonymousAuthenticationHandler>(StreamAuthenticationSchemes.Anonymous, "No authentication (development)", _ => { })
            .AddJwtBearer(StreamAuthenticationSchemes.Jwt, _ => { });
        services.AddSingleton<IConfigureOptions<PolicySchemeOptions>, StreamSchemeSelector>();

        // After AddJwtBearer: configures on top of what ASP.NET Core bound from
        // Authentication:Schemes:Bearer, and post-configures after JwtBearer created its ConfigurationManager.
        services.AddSingleton<JwtBearerSetup>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>>(sp => sp.GetRequiredService<JwtBearerSetup>());
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>>(sp => sp.GetRequiredService<JwtBearerSetup>());

        services.AddAuthorization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, StreamScopeAuthorizationHandler>());
        services.AddSingleton<AuthenticationFailureDescriber>();
        services.AddSingleton<StreamCallAuthorizer>();
        services.AddHostedService<AuthModeAnnouncement>();
        return services;
    }
}
