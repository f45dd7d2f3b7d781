using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Turns a call's <c>authorization</c> header into a principal: a JWT when it has the JWT
/// shape and an issuer is configured, an API key otherwise. In <see cref="AuthMode.None"/> every
/// call is the anonymous, all-scopes principal.</summary>
internal sealed class BearerTokenAuthenticator(IOptions<AuthOptions> options, ApiKeyAuthenticator apiKeys, JwtAuthenticator jwt)
{
    private const string Scheme = "Bearer ";

    private readonly AuthMode _mode = options.Value.EffectiveMode;

    public ValueTask<AuthenticationOutcome> AuthenticateAsync(string? authorization, string peer)
    {
        if (_mode == AuthMode.None)
        {
            return ValueTask.FromResult(AuthenticationOutcome.Success(StreamPrincipal.Anonymous(peer)));
        }

        if (string.IsNullOrEmpty(authorization))
        {
            return ValueTask.FromResult(AuthenticationOutcome.Fail("missing credentials: send the metadata 'authorization: Bearer <API key or JWT>'"));
        }

        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
        {
            return ValueTask.FromResult(AuthenticationOutcome.Fail("the authorization metadata must be 'Bearer <API key or JWT>'"));
        }

        var token = authorization[Scheme.Length..].Trim();
        if (jwt.Enabled && JwtAuthenticator.LooksLikeJwt(token))
        {
            return new ValueTask<AuthenticationOutcome>(jwt.AuthenticateAsync(token));
        }

        return ValueTask.FromResult(apiKeys.Authenticate(token) is { } principal
            ? AuthenticationOutcome.Success(principal)
            : AuthenticationOutcome.Fail("the bearer token is not valid"));
    }
}
