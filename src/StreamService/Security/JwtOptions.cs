namespace StreamService.Security;

/// <summary>The service's own JWT settings (<c>StreamGrpc:Auth:Jwt</c>), from before JwtBearer;
/// they still work and are applied to the <c>Bearer</c> scheme (<see cref="JwtBearerSetup"/>) next
/// to <c>Authentication:Schemes:Bearer</c>, where an issuer's discovery document
/// (<c>Authority</c>/<c>MetadataAddress</c>) is configured. Static keys here are for air-gapped set-ups.</summary>
internal sealed class JwtOptions
{
    /// <summary>Required <c>iss</c>, added to the scheme's valid issuers; enables JWTs with static keys.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required <c>aud</c>, added to the scheme's valid audiences; with static keys and no
    /// audience anywhere, not checked.</summary>
    public string? Audience { get; set; }

    /// <summary>Base64 symmetric keys (HS256/384/512), at least 32 bytes each.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>PEM files with the issuer's RSA or ECDSA public keys (RS*/PS*/ES* tokens).</summary>
    public List<string> PublicKeyFiles { get; set; } = [];

    /// <summary>Claims holding the scopes, space-separated or repeated (OAuth <c>scope</c>, Azure-style <c>scp</c>).</summary>
    public List<string> ScopeClaims { get; set; } = ["scope", "scp"];

    /// <summary>Allowed clock difference for <c>exp</c>/<c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);
}
