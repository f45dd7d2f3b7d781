namespace StreamService.Security;

/// <summary>JWT validation (<c>StreamGrpc:Auth:Jwt</c>), for deployments whose callers get tokens
/// from an issuer. Keys are configured statically (no discovery document is fetched).</summary>
internal sealed class JwtOptions
{
    /// <summary>Required <c>iss</c>. JWT validation is off while this is empty.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required <c>aud</c>; not checked when empty.</summary>
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
