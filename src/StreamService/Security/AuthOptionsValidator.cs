using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Start-up checks of <see cref="AuthOptions"/> and the <c>Authentication:Schemes:Bearer</c>
/// section: Bearer mode needs at least one credential source, every hash and scope must be
/// well-formed, every key file readable, an issuer's discovery document reachable over HTTPS
/// unless said otherwise, and a setting put where the service does not read it is named together
/// with the key that replaced it.</summary>
internal sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    private const string Bearer = BearerSchemeSettings.SectionName;

    private static readonly HashSet<string> AuthKeys = new(StringComparer.OrdinalIgnoreCase) { "Mode", "AllowAnonymousReflection", "AllowAnonymousHealth", "ApiKeys", "Jwt" };

    private static readonly HashSet<string> JwtKeys = new(StringComparer.OrdinalIgnoreCase) { "Issuer", "Audience", "SigningKeys", "PublicKeyFiles", "ScopeClaims", "ClockSkew" };

    /// <summary>JwtBearer settings that belong in the conventional section, not under StreamGrpc:Auth:Jwt.</summary>
    private static readonly HashSet<string> MovedToBearer = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authority", "MetadataAddress", "RequireHttpsMetadata", "ValidIssuer", "ValidIssuers", "ValidAudience", "ValidAudiences",
        "RefreshInterval", "AutomaticRefreshInterval", "RefreshOnIssuerKeyNotFound", "BackchannelTimeout", "MapInboundClaims",
    };

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        CheckKeys(failures);
        if (options.EffectiveMode == AuthMode.Bearer && options.ApiKeys.Count == 0 && !options.JwtEnabled)
        {
            failures.Add($"StreamGrpc:Auth:Mode is Bearer but neither StreamGrpc:Auth:ApiKeys nor a JWT issuer ({Bearer}:Authority, or StreamGrpc:Auth:Jwt:Issuer with static keys) is configured; "
                + "configure credentials, or set StreamGrpc:Auth:Mode=None for local development only.");
        }

        foreach (var (keyName, key) in options.ApiKeys)
        {
            if (key.Sha256.Length != 64 || !key.Sha256.All(Uri.IsHexDigit))
            {
                failures.Add($"StreamGrpc:Auth:ApiKeys:{keyName}:Sha256 must be 64 hex digits (the SHA-256 of the key), not the key itself.");
            }

            if (key.Scopes.Count == 0)
            {
                failures.Add($"StreamGrpc:Auth:ApiKeys:{keyName}:Scopes is empty: the key could stream nothing.");
            }

            failures.AddRange(key.Scopes.Where(s => !StreamScopes.IsValid(s)).Select(s => $"StreamGrpc:Auth:ApiKeys:{keyName}:Scopes: '{s}' is not a scope ('*', 'kind' or 'kind:name', name may end in '*')."));
        }

        if (options.JwtEnabled)
        {
            ValidateJwt(options, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateJwt(AuthOptions options, List<string> failures)
    {
        var jwt = options.Jwt;
        var scheme = options.BearerScheme;
        foreach (var key in jwt.SigningKeys)
        {
            if (!IsLongBase64(key))
            {
                failures.Add("StreamGrpc:Auth:Jwt:SigningKeys: every key must be base64 of at least 32 bytes.");
            }
        }

        foreach (var file in jwt.PublicKeyFiles)
        {
            if (!File.Exists(file))
            {
                failures.Add($"StreamGrpc:Auth:Jwt:PublicKeyFiles: '{file}' does not exist.");
            }
            else if (!PublicKeyPem.TryLoad(file, out _, out var error))
            {
                failures.Add(error!);
            }
        }
        if (jwt.ClockSkew < TimeSpan.Zero)
        {
            failures.Add("StreamGrpc:Auth:Jwt:ClockSkew must not be negative.");
        }

        if (scheme.UsesDiscovery)
        {
            var address = scheme.DiscoveryAddress!;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{Bearer}:Authority / MetadataAddress must be an absolute http(s) address, not '{address}'.");
            }
            else if (uri.Scheme != Uri.UriSchemeHttps && scheme.RequireHttpsMetadata)
            {
                failures.Add($"{Bearer}:Authority / MetadataAddress '{address}' is not HTTPS: the issuer's keys could be tampered with on the way. "
                    + $"Use the issuer's https address, or set {Bearer}:RequireHttpsMetadata=false for a test issuer on loopback only.");
            }

            if (scheme.ValidateAudience != false && !scheme.Audiences.Any() && string.IsNullOrWhiteSpace(jwt.Audience))
            {
                failures.Add($"{Bearer}:Audience is not set: every token of the issuer, for whatever service, would be accepted. "
                    + $"Set it to the 'aud' the issuer puts in tokens for this service (or {Bearer}:ValidateAudience=false to accept any audience).");
            }
        }
        else
        {
            if (jwt.SigningKeys.Count == 0 && jwt.PublicKeyFiles.Count == 0 && scheme.SigningKeys.Count == 0)
            {
                failures.Add($"JWTs need the issuer's keys: {Bearer}:Authority (or MetadataAddress) to fetch them from its discovery document, "
                    + "or static keys in StreamGrpc:Auth:Jwt:SigningKeys / PublicKeyFiles for air-gapped set-ups.");
            }

            if (!jwt.Enabled && !scheme.Issuers.Any())
            {
                failures.Add($"JWTs with static keys need the issuer: StreamGrpc:Auth:Jwt:Issuer or {Bearer}:ValidIssuer.");
            }
        }

        if (scheme.SigningKeys.Any(k => string.IsNullOrEmpty(k.Value) || !IsLongBase64(k.Value)))
        {
            failures.Add($"{Bearer}:SigningKeys: every key needs Value, base64 of at least 32 bytes, and the Issuer it is for.");
        }

        if (scheme.RefreshInterval is { } refresh && refresh < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Bearer}:RefreshInterval must be at least 00:00:01.");
        }

        if (scheme.AutomaticRefreshInterval is { } automatic && automatic < TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Bearer}:AutomaticRefreshInterval must be at least 00:05:00.");
        }
    }

    /// <summary>Keys the service does not read fail start-up instead of being ignored; JwtBearer's
    /// own settings under StreamGrpc:Auth:Jwt are named with the key that took their place.</summary>
    private void CheckKeys(List<string> failures)
    {
        var auth = configuration.GetSection(AuthOptions.SectionName);
        failures.AddRange(auth.GetChildren().Where(c => !AuthKeys.Contains(c.Key))
            .Select(c => $"StreamGrpc:Auth:{c.Key} is not a setting (known: {string.Join(", ", AuthKeys.Order(StringComparer.Ordinal))})."));
        foreach (var key in auth.GetSection("Jwt").GetChildren().Select(c => c.Key).Where(k => !JwtKeys.Contains(k)))
        {
            failures.Add(MovedToBearer.Contains(key)
                ? $"StreamGrpc:Auth:Jwt:{key} is not read: JWT validation is ASP.NET Core's JwtBearer now; set {Bearer}:{key} instead."
                : $"StreamGrpc:Auth:Jwt:{key} is not a setting (known: {string.Join(", ", JwtKeys.Order(StringComparer.Ordinal))}; JwtBearer's own settings go in {Bearer}).");
        }
    }

    private static bool IsLongBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 32;
    }
}
