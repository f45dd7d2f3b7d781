using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace StreamService.Security;

/// <summary>Validates JWTs from the configured issuer: signature (static keys), issuer, audience,
/// lifetime. The caller's name is <c>sub</c> (else <c>client_id</c>/<c>azp</c>); its scopes come
/// from the configured scope claims.</summary>
internal sealed class JwtAuthenticator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters? _parameters;
    private readonly List<string> _scopeClaims;

    public JwtAuthenticator(IOptions<AuthOptions> options)
    {
        var jwt = options.Value.Jwt;
        _scopeClaims = jwt.ScopeClaims;
        if (!jwt.Enabled)
        {
            return;
        }

        var keys = new List<SecurityKey>();
        keys.AddRange(jwt.SigningKeys.Select(k => new SymmetricSecurityKey(Convert.FromBase64String(k))));
        keys.AddRange(jwt.PublicKeyFiles.Select(LoadPublicKey));
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidateIssuer = true,
            ValidAudience = jwt.Audience,
            ValidateAudience = !string.IsNullOrEmpty(jwt.Audience),
            IssuerSigningKeys = keys,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = jwt.ClockSkew,
        };
    }

    public bool Enabled => _parameters is not null;

    /// <summary>Whether the token has the compact JWS shape (three dot-separated parts).</summary>
    public static bool LooksLikeJwt(string token) => token.AsSpan().Count('.') == 2;

    public async Task<AuthenticationOutcome> AuthenticateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, _parameters!).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return AuthenticationOutcome.Fail(result.Exception is SecurityTokenExpiredException
                ? "the bearer token has expired"
                : "the bearer token is not valid");
        }

        var claims = result.ClaimsIdentity.Claims.ToList();
        var name = claims.FirstOrDefault(c => c.Type == "sub")?.Value
            ?? claims.FirstOrDefault(c => c.Type is "client_id" or "azp")?.Value
            ?? "jwt";
        var scopes = claims.Where(c => _scopeClaims.Contains(c.Type))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return AuthenticationOutcome.Success(new StreamPrincipal(name, "jwt", new StreamScopes(scopes)));
    }

    private static SecurityKey LoadPublicKey(string path)
    {
        var pem = File.ReadAllText(path);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
    }
}
