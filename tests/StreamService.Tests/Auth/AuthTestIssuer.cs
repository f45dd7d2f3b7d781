using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StreamService.Tests.Hardening;

namespace StreamService.Tests.Auth;

/// <summary>
/// A small OpenID Connect issuer on loopback Kestrel: its discovery document
/// (<c>/.well-known/openid-configuration</c>, OpenID Connect Discovery 1.0 section 4) and its JWKS
/// (RFC 7517) with the keys it currently publishes, and tokens signed with any key, published or
/// not. Hand-written because it is a test fixture: what the tests need is control over which keys
/// are published when, and tokens no real issuer would sign.
/// </summary>
internal sealed class AuthTestIssuer : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private volatile IssuerKey[] _published = [];
    private int _jwksFetches;
    private volatile bool _down;

    private AuthTestIssuer(LoopbackHttpServer server) => _server = server;

    /// <summary>The issuer identifier (<c>iss</c>) and Authority: its loopback base address.</summary>
    public string Issuer => _server.Address.ToString().TrimEnd('/');

    /// <summary>How many times the JWKS has been fetched.</summary>
    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public static async Task<AuthTestIssuer> StartAsync(params IssuerKey[] published)
    {
        AuthTestIssuer? issuer = null;
        var server = await LoopbackHttpServer.StartAsync(context => issuer!.HandleAsync(context));
        issuer = new AuthTestIssuer(server) { _published = published };
        return issuer;
    }

    /// <summary>Replaces the published keys (a rotation: keys left out are withdrawn).</summary>
    public void Publish(params IssuerKey[] keys) => _published = keys;

    /// <summary>Answers 503 to everything from now on.</summary>
    public void GoDown() => _down = true;

    /// <summary>The settings that point the service's Bearer scheme at this issuer.</summary>
    public Dictionary<string, string?> Settings(Dictionary<string, string?> settings, string audience = "streamgrpc")
    {
        settings["Authentication:Schemes:Bearer:Authority"] = Issuer;
        settings["Authentication:Schemes:Bearer:Audience"] = audience;
        settings["Authentication:Schemes:Bearer:RequireHttpsMetadata"] = "false";
        return settings;
    }

    /// <summary>A token for <paramref name="audience"/> with <paramref name="scopes"/>, valid for
    /// five minutes, signed with <paramref name="key"/>; <paramref name="change"/> spoils it.</summary>
    public string Token(IssuerKey? key, string scopes, string subject = "alice", string audience = "streamgrpc", Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["scope"] = scopes },
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddMinutes(5),
            SigningCredentials = key is null ? null : new SigningCredentials(key.SigningKey, key.Algorithm),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        if (_down)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        switch (context.Request.Path.Value)
        {
            case "/.well-known/openid-configuration":
                await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
                {
                    ["issuer"] = Issuer,
                    ["jwks_uri"] = Issuer + "/jwks",
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
                });
                break;
            case "/jwks":
                Interlocked.Increment(ref _jwksFetches);
                await context.Response.WriteAsJsonAsync(new { keys = _published.Select(k => k.PublicJwk).ToArray() });
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }
}

/// <summary>A signing key of <see cref="AuthTestIssuer"/>: the private half signs, the public half
/// is what the JWKS publishes.</summary>
internal sealed class IssuerKey
{
    private IssuerKey(SecurityKey signingKey, string algorithm, Dictionary<string, string> publicJwk)
    {
        SigningKey = signingKey;
        Algorithm = algorithm;
        PublicJwk = publicJwk;
    }

    public string Kid => SigningKey.KeyId;

    public SecurityKey SigningKey { get; }

    public string Algorithm { get; }

    public Dictionary<string, string> PublicJwk { get; }

    /// <summary>RS256, 2048-bit (RFC 7518 section 6.3).</summary>
    public static IssuerKey Rsa(string kid)
    {
        var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: false);
        return new IssuerKey(new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256, new()
        {
            ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        });
    }

    /// <summary>ES256 on P-256 (RFC 7518 section 6.2).</summary>
    public static IssuerKey EcP256(string kid)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ec.ExportParameters(includePrivateParameters: false);
        return new IssuerKey(new ECDsaSecurityKey(ec) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256, new()
        {
            ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = kid, ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        });
    }

    /// <summary>A key of its own that claims another key's <c>kid</c>: a forged signature.</summary>
    public static IssuerKey Impostor(IssuerKey of) => of.Algorithm == SecurityAlgorithms.RsaSha256 ? Rsa(of.Kid) : EcP256(of.Kid);

    public override string ToString() => JsonSerializer.Serialize(PublicJwk);
}
