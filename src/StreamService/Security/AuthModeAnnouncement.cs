using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Says at start-up how callers are authenticated; loudly when they are not.</summary>
internal sealed partial class AuthModeAnnouncement(IOptions<AuthOptions> options, ILogger<AuthModeAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (auth.EffectiveMode == AuthMode.None)
        {
            LogNoAuthentication();
        }
        else
        {
            LogBearer(auth.ApiKeys.Count, auth.Jwt.Issuer ?? "(none)", auth.AllowAnonymousReflection);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "!!! AUTHENTICATION IS OFF (StreamGrpc:Auth:Mode = None): every caller may stream every dataset, file root, job and model. "
        + "For local development only; set StreamGrpc:Auth:Mode=Bearer with API keys or a JWT issuer before exposing this service. !!!")]
    private partial void LogNoAuthentication();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bearer authentication: {ApiKeys} API keys, JWT issuer {Issuer}, anonymous reflection {AnonymousReflection}")]
    private partial void LogBearer(int apiKeys, string issuer, bool anonymousReflection);
}
