using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace StreamService.Security;

/// <summary>
/// Turns a failed authentication into the status and message the caller gets: what is wrong with
/// the credentials (expired, not valid yet, another audience, an untrusted issuer, not signed, a
/// key the issuer does not publish), never the validator's own text, which can quote keys, claims
/// and addresses. UNAUTHENTICATED, except when the issuer's keys cannot be fetched at all: then
/// the token may well be good, and the caller hears UNAVAILABLE, which it may retry.
/// </summary>
internal sealed class AuthenticationFailureDescriber(IOptionsMonitor<JwtBearerOptions> jwtOptions)
{
    public const string MissingCredentials = "missing credentials: send the metadata 'authorization: Bearer <API key or JWT>'";

    public async ValueTask<(StatusCode Status, string Message)> DescribeAsync(AuthenticateResult result, HttpRequest request, CancellationToken cancellationToken)
    {
        if (result.None || result.Failure is null)
        {
            return (StatusCode.Unauthenticated, MissingCredentials);
        }

        var failure = result.Failure is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[0] : result.Failure;
        // Without the issuer's configuration neither its keys nor its identifier are known, and
        // the token is refused for that; lifetime and audience failures are the token's own.
        if (failure is SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidIssuerException or SecurityTokenInvalidSignatureException
            && await IssuerKeysUnavailableAsync(cancellationToken))
        {
            return (StatusCode.Unavailable, "the token issuer's signing keys cannot be fetched right now; try again later");
        }

        return (StatusCode.Unauthenticated, failure switch
        {
            CredentialsRejectedException rejected => rejected.Message,

            // Most derived first: the lifetime exceptions share a base.
            SecurityTokenExpiredException => "the bearer token has expired",
            SecurityTokenNotYetValidException => "the bearer token is not valid yet (nbf is in the future)",
            SecurityTokenNoExpirationException => "the bearer token has no expiry (exp)",
            SecurityTokenInvalidLifetimeException => "the bearer token's lifetime is not valid",
            SecurityTokenInvalidAudienceException => "the bearer token is not meant for this service (aud)",
            SecurityTokenInvalidIssuerException => "the bearer token is from an issuer this service does not trust (iss)",
            SecurityTokenInvalidAlgorithmException => "the bearer token is signed with an algorithm this service does not accept",
            SecurityTokenSignatureKeyNotFoundException => "the bearer token is signed with a key the issuer does not publish (unknown or withdrawn kid)",
            SecurityTokenInvalidSignatureException when IsUnsigned(request) => "the bearer token is not signed",
            SecurityTokenInvalidSignatureException => "the bearer token's signature is not valid",
            SecurityTokenMalformedException or ArgumentException => "the bearer token is not a well-formed JWT",
            _ => "the bearer token is not valid",
        });
    }

    /// <summary>An unsecured JWS (<c>alg: none</c>, RFC 7519 section 6) has an empty signature part.</summary>
    private static bool IsUnsigned(HttpRequest request) => BearerToken.From(request) is { } token && token.EndsWith('.');

    /// <summary>Whether the scheme takes its keys from a discovery document that it has not been
    /// able to fetch (a key the issuer does not publish is then no proof against the token).</summary>
    private async ValueTask<bool> IssuerKeysUnavailableAsync(CancellationToken cancellationToken)
    {
        if (jwtOptions.Get(StreamAuthenticationSchemes.Jwt).ConfigurationManager is not { } manager)
        {
            return false;
        }

        try
        {
            _ = await manager.GetConfigurationAsync(cancellationToken);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return true;
        }
    }
}
