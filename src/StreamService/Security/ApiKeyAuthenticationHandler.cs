using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>
/// The <see cref="StreamAuthenticationSchemes.ApiKey"/> scheme: <c>authorization: Bearer &lt;key&gt;</c>
/// checked against the configured SHA-256 hashes. No header is no result (the gate answers
/// UNAUTHENTICATED "missing credentials"); a header that is not a configured key fails with a
/// message safe to show the caller (<see cref="CredentialsRejectedException"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyAuthenticator keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (string.IsNullOrEmpty(Request.Headers.Authorization.ToString()))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (BearerToken.From(Request) is not { } token)
        {
            return Task.FromResult(AuthenticateResult.Fail(new CredentialsRejectedException("the authorization metadata must be 'Bearer <API key or JWT>'")));
        }

        return Task.FromResult(keys.Authenticate(token) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name))
            : AuthenticateResult.Fail(new CredentialsRejectedException("the bearer token is not valid")));
    }
}
