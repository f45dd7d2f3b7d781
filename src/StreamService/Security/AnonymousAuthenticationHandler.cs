using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>The <see cref="StreamAuthenticationSchemes.Anonymous"/> scheme of
/// <see cref="AuthMode.None"/> (local development): every request, whatever it carries, is
/// <c>anonymous@&lt;ip&gt;</c> with scope <c>*</c>.</summary>
internal sealed class AnonymousAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var anonymous = StreamPrincipal.Anonymous(Context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        var principal = StreamIdentity.Create(anonymous.Name, anonymous.Scheme, anonymous.Scopes.Values);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}
