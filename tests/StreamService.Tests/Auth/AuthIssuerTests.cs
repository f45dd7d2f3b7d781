using Grpc.Core;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using StreamGrpc.V1;
using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Auth;

/// <summary>JWTs of a real issuer flow on loopback: the service takes the issuer's keys from its
/// discovery document and JWKS (JwtBearer's ConfigurationManager), follows a key rotation without a
/// restart, and refuses every kind of bad token with UNAUTHENTICATED and a message that says why.</summary>
public sealed class AuthIssuerTests
{
    private const string ApiKey = "issuer-tests-key-0123456789";

    private static Dictionary<string, string?> Settings(AuthTestIssuer issuer)
        => issuer.Settings(HardeningSettings.WithKeys(("ops", ApiKey, ["llm:builtin-echo"])).FastBuiltinModels());

    [Fact]
    public async Task Call_Rs256AndEs256TokensOfTheIssuer_StreamAndApiKeysStillWork()
    {
        IssuerKey rsa = IssuerKey.Rsa("rsa-1"), ec = IssuerKey.EcP256("ec-1");
        await using var issuer = await AuthTestIssuer.StartAsync(rsa, ec);
        await using var host = await HardenedHost.StartAsync(Settings(issuer));
        using var channel = host.CreateChannel();

        var byRsa = await LlmCalls.CompleteAsync(channel, "builtin-echo", issuer.Token(rsa, "llm:builtin-*")).Bounded();
        var byEc = await LlmCalls.CompleteAsync(channel, "builtin-echo", issuer.Token(ec, "llm:builtin-echo")).Bounded();
        var byKey = await LlmCalls.CompleteAsync(channel, "builtin-echo", ApiKey).Bounded();

        Assert.Equal(CompletionChunk.KindOneofCase.Summary, byRsa[^1].KindCase);
        Assert.Equal(CompletionChunk.KindOneofCase.Summary, byEc[^1].KindCase);
        Assert.Equal(CompletionChunk.KindOneofCase.Summary, byKey[^1].KindCase);
    }

    [Fact]
    public async Task Call_IssuerRotatesItsKey_NewKeyAcceptedWithoutRestartAndWithdrawnKeyRefused()
    {
        IssuerKey old = IssuerKey.Rsa("2026-11"), next = IssuerKey.EcP256("2026-12");
        await using var issuer = await AuthTestIssuer.StartAsync(old);
        await using var host = await HardenedHost.StartAsync(Settings(issuer));
        using var channel = host.CreateChannel();
        var tokenOfOldKey = issuer.Token(old, "llm:builtin-echo");
        Assert.NotEmpty(await LlmCalls.CompleteAsync(channel, "builtin-echo", tokenOfOldKey).Bounded());
        var fetchesBefore = issuer.JwksFetches;

        // The issuer rotates: the new key replaces the old one in its JWKS.
        issuer.Publish(next);

        // The first token with the new kid makes the service fetch the JWKS again, and is accepted.
        var accepted = await LlmCalls.CompleteAsync(channel, "builtin-echo", issuer.Token(next, "llm:builtin-echo")).Bounded();
        Assert.Equal(CompletionChunk.KindOneofCase.Summary, accepted[^1].KindCase);
        Assert.True(issuer.JwksFetches > fetchesBefore, "the unknown kid did not refresh the JWKS");

        // A token of the withdrawn key, valid before the rotation, is refused from now on.
        var refused = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", tokenOfOldKey).Bounded());
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("key the issuer does not publish", refused.Status.Detail);
    }

    [Theory]
    [InlineData("expired", "has expired")]
    [InlineData("not-yet-valid", "not valid yet")]
    [InlineData("no-expiry", "no expiry")]
    [InlineData("audience", "not meant for this service")]
    [InlineData("issuer", "does not trust")]
    [InlineData("unsigned", "not signed")]
    [InlineData("unknown-key", "does not publish")]
    [InlineData("forged-signature", "signature is not valid")]
    public async Task Call_BadTokenOfTheIssuerFlow_UnauthenticatedSayingWhy(string defect, string expected)
    {
        var key = IssuerKey.Rsa("k1");
        await using var issuer = await AuthTestIssuer.StartAsync(key);
        await using var host = await HardenedHost.StartAsync(Settings(issuer));
        using var channel = host.CreateChannel();
        var now = DateTime.UtcNow;
        var token = defect switch
        {
            "expired" => issuer.Token(key, "*", change: d => (d.NotBefore, d.IssuedAt, d.Expires) = (now.AddMinutes(-30), now.AddMinutes(-30), now.AddMinutes(-10))),
            "not-yet-valid" => issuer.Token(key, "*", change: d => (d.NotBefore, d.Expires) = (now.AddMinutes(10), now.AddMinutes(20))),
            "no-expiry" => issuer.Token(key, "*", change: d => d.Expires = null),
            "audience" => issuer.Token(key, "*", audience: "another-service"),
            "issuer" => issuer.Token(key, "*", change: d => d.Issuer = "http://127.0.0.1:1/not-the-issuer"),
            "unsigned" => issuer.Token(null, "*"),
            "unknown-key" => issuer.Token(IssuerKey.Rsa("never-published"), "*"),
            _ => issuer.Token(IssuerKey.Impostor(key), "*"),
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", token).Bounded());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains(expected, ex.Status.Detail);
        // The validator's own text (IDX codes, keys, claims, addresses) stays in the service.
        Assert.DoesNotContain("IDX", ex.Status.Detail);
        Assert.DoesNotContain(issuer.Issuer, ex.Status.Detail);
        Assert.DoesNotContain(key.Kid, ex.Status.Detail);
    }

    [Fact]
    public async Task Call_IssuerUnreachable_UnavailableWhileApiKeysStillWork()
    {
        var key = IssuerKey.Rsa("k1");
        await using var issuer = await AuthTestIssuer.StartAsync(key);
        issuer.GoDown();
        await using var host = await HardenedHost.StartAsync(Settings(issuer));
        using var channel = host.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", issuer.Token(key, "*")).Bounded());

        Assert.True(ex.StatusCode == StatusCode.Unavailable, ex.Status.ToString());
        Assert.Contains("cannot be fetched", ex.Status.Detail);
        Assert.NotEmpty(await LlmCalls.CompleteAsync(channel, "builtin-echo", ApiKey).Bounded());
    }

    [Fact]
    public async Task Call_ConventionalSectionWithStaticKeys_Streams()
    {
        // Air-gapped: ASP.NET Core's own Authentication:Schemes:Bearer keys, no discovery document.
        var secret = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        var settings = HardeningSettings.WithKeys().FastBuiltinModels()
            .With("Authentication:Schemes:Bearer:ValidIssuer", "https://issuer.offline")
            .With("Authentication:Schemes:Bearer:ValidAudiences:0", "streamgrpc")
            .With("Authentication:Schemes:Bearer:SigningKeys:0:Issuer", "https://issuer.offline")
            .With("Authentication:Schemes:Bearer:SigningKeys:0:Value", Convert.ToBase64String(secret));
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();
        var now = DateTime.UtcNow;
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.offline",
            Audience = "streamgrpc",
            Claims = new Dictionary<string, object> { ["sub"] = "batch", ["scope"] = "llm" },
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret), SecurityAlgorithms.HmacSha256),
        });

        var chunks = await LlmCalls.CompleteAsync(channel, "builtin-echo", token).Bounded();
        var other = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", token.Replace(token[^3..], "AAA", StringComparison.Ordinal)).Bounded());

        Assert.Equal(CompletionChunk.KindOneofCase.Summary, chunks[^1].KindCase);
        Assert.Equal(StatusCode.Unauthenticated, other.StatusCode);
    }

    [Fact]
    public async Task Call_StreamGrpcJwtSettingsWithPublicKeyFile_StillStream()
    {
        // The settings from before JwtBearer: StreamGrpc:Auth:Jwt issuer, audience and a PEM file.
        var key = IssuerKey.EcP256("pem");
        var pem = Path.Combine(Directory.CreateTempSubdirectory("streamgrpc-jwt-").FullName, "issuer.pem");
        await File.WriteAllTextAsync(pem, ((ECDsaSecurityKey)key.SigningKey).ECDsa.ExportSubjectPublicKeyInfoPem());
        var settings = HardeningSettings.WithKeys().FastBuiltinModels()
            .With("StreamGrpc:Auth:Jwt:Issuer", "https://issuer.air-gapped")
            .With("StreamGrpc:Auth:Jwt:Audience", "streamgrpc")
            .With("StreamGrpc:Auth:Jwt:PublicKeyFiles:0", pem);
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();
        var now = DateTime.UtcNow;
        string Token(string audience) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.air-gapped",
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = "etl", ["scp"] = "llm:builtin-echo" },
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key.SigningKey, key.Algorithm),
        });

        var chunks = await LlmCalls.CompleteAsync(channel, "builtin-echo", Token("streamgrpc")).Bounded();
        var other = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", Token("another-service")).Bounded());

        Assert.Equal(CompletionChunk.KindOneofCase.Summary, chunks[^1].KindCase);
        Assert.Equal(StatusCode.Unauthenticated, other.StatusCode);
        Assert.Contains("not meant for this service", other.Status.Detail);
    }

    [Theory]
    [InlineData("http-metadata", "RequireHttpsMetadata=false")]
    [InlineData("no-audience", "Authentication:Schemes:Bearer:Audience is not set")]
    [InlineData("moved-authority", "set Authentication:Schemes:Bearer:Authority instead")]
    [InlineData("unknown-auth-key", "StreamGrpc:Auth:Jwks is not a setting")]
    [InlineData("short-refresh", "RefreshInterval must be at least")]
    [InlineData("not-a-key-file", "holds no RSA or ECDSA public key")]
    public async Task Start_BadIssuerSettings_FailsNamingTheSetting(string defect, string expected)
    {
        var settings = HardeningSettings.WithKeys(("ops", ApiKey, ["*"]));
        switch (defect)
        {
            case "http-metadata":
                settings.With("Authentication:Schemes:Bearer:Authority", "http://127.0.0.1:9").With("Authentication:Schemes:Bearer:Audience", "streamgrpc");
                break;
            case "no-audience":
                settings.With("Authentication:Schemes:Bearer:Authority", "https://login.example");
                break;
            case "moved-authority":
                settings.With("StreamGrpc:Auth:Jwt:Authority", "https://login.example");
                break;
            case "not-a-key-file":
                var file = Path.Combine(Directory.CreateTempSubdirectory("streamgrpc-jwt-").FullName, "issuer.pem");
                await File.WriteAllTextAsync(file, "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");
                settings.With("StreamGrpc:Auth:Jwt:Issuer", "https://issuer.air-gapped").With("StreamGrpc:Auth:Jwt:PublicKeyFiles:0", file);
                break;
            case "unknown-auth-key":
                settings.With("StreamGrpc:Auth:Jwks", "https://login.example/jwks");
                break;
            default:
                settings.With("Authentication:Schemes:Bearer:Authority", "https://login.example").With("Authentication:Schemes:Bearer:Audience", "streamgrpc")
                    .With("Authentication:Schemes:Bearer:RefreshInterval", "00:00:00.100");
                break;
        }

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => HardenedHost.StartAsync(settings));

        Assert.Contains(expected, ex.Message);
    }
}
