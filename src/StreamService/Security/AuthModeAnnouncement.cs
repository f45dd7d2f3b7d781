using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Says at start-up how callers are authenticated; loudly when they are not. With an
/// issuer's discovery document, starts fetching it (without holding up start-up: an issuer that
/// is down must not keep the service from serving API keys), so the first JWT does not wait for
/// it and a wrong address shows in the log at once.</summary>
internal sealed partial class AuthModeAnnouncement(
    IOptions<AuthOptions> options,
    IOptionsMonitor<JwtBearerOptions> jwtOptions,
    ILogger<AuthModeAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (auth.EffectiveMode == AuthMode.None)
        {
            LogNoAuthentication();
            return Task.CompletedTask;
        }

        var scheme = auth.BearerScheme;
        var issuer = !auth.JwtEnabled ? "(none)"
            : scheme.UsesDiscovery ? scheme.DiscoveryAddress!
            : string.Join(", ", scheme.Issuers.Append(auth.Jwt.Issuer).Where(i => !string.IsNullOrEmpty(i)).Distinct()) + " (static keys)";
        LogBearer(auth.ApiKeys.Count, issuer, auth.AllowAnonymousReflection, auth.AllowAnonymousHealth);
        if (!auth.JwtEnabled)
        {
            return Task.CompletedTask;
        }

        // Building the scheme's options here runs every configure step (static keys loaded,
        // JwtBearer's ConfigurationManager created) at start-up, so a problem there stops the
        // service now rather than failing its first JWT call.
        var bearer = jwtOptions.Get(StreamAuthenticationSchemes.Jwt);
        if (scheme.UsesDiscovery)
        {
            if (!scheme.RequireHttpsMetadata)
            {
                LogHttpMetadata(scheme.DiscoveryAddress!);
            }

            _ = FetchDiscoveryAsync(bearer.ConfigurationManager!, scheme.DiscoveryAddress!);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task FetchDiscoveryAsync(Microsoft.IdentityModel.Protocols.IConfigurationManager<Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration> manager, string address)
    {
        try
        {
            var configuration = await manager.GetConfigurationAsync(CancellationToken.None);
            LogDiscovered(address, configuration.Issuer, configuration.SigningKeys.Count);
        }
        catch (Exception e)
        {
            LogDiscoveryFailed(address, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "!!! AUTHENTICATION IS OFF (StreamGrpc:Auth:Mode = None): every caller may stream every dataset, file root, job and model. "
        + "For local development only; set StreamGrpc:Auth:Mode=Bearer with API keys or a JWT issuer before exposing this service. !!!")]
    private partial void LogNoAuthentication();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bearer authentication: {ApiKeys} API keys, JWT issuer {Issuer}, anonymous reflection {AnonymousReflection}, anonymous health {AnonymousHealth}")]
    private partial void LogBearer(int apiKeys, string issuer, bool anonymousReflection, bool anonymousHealth);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The JWT issuer's discovery document {Address} is fetched without requiring HTTPS (Authentication:Schemes:Bearer:RequireHttpsMetadata=false): for a test issuer on loopback only")]
    private partial void LogHttpMetadata(string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "JWT issuer {Issuer} discovered at {Address}: {SigningKeys} signing keys")]
    private partial void LogDiscovered(string address, string issuer, int signingKeys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The JWT issuer's discovery document {Address} could not be fetched ({Error}); JWT calls are refused UNAVAILABLE until it can be")]
    private partial void LogDiscoveryFailed(string address, string error);
}
