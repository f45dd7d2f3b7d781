namespace StreamService.Security;

/// <summary>
/// What the service reads itself from the conventional <c>Authentication:Schemes:Bearer</c>
/// section. ASP.NET Core binds that section into <c>JwtBearerOptions</c> (Authority,
/// MetadataAddress, RequireHttpsMetadata, ValidIssuer(s), ValidAudience(s), RefreshInterval,
/// RefreshOnIssuerKeyNotFound, BackchannelTimeout, SigningKeys, ...); this copy is for start-up
/// validation with messages that name the setting, and for the keys ASP.NET Core does not bind:
/// <see cref="Audience"/>, <see cref="AutomaticRefreshInterval"/>.
/// </summary>
internal sealed class BearerSchemeSettings
{
    public const string SectionName = "Authentication:Schemes:Bearer";

    /// <summary>The issuer's base address; its discovery document is
    /// <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The discovery document's address, when it is not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Refuse a discovery document or JWKS over plain HTTP (JwtBearer's default: true).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The <c>aud</c> tokens for this service carry (added to <see cref="ValidAudiences"/>).</summary>
    public string? Audience { get; set; }

    public string? ValidAudience { get; set; }

    public List<string> ValidAudiences { get; set; } = [];

    /// <summary>Null: checked when an audience is configured, and required with an issuer's
    /// discovery document.</summary>
    public bool? ValidateAudience { get; set; }

    public string? ValidIssuer { get; set; }

    public List<string> ValidIssuers { get; set; } = [];

    /// <summary>Least time between two refreshes of the issuer's keys asked for by a token whose
    /// <c>kid</c> is unknown (JwtBearer's default: 5 minutes; at least 1 second).</summary>
    public TimeSpan? RefreshInterval { get; set; }

    /// <summary>How often the discovery document and JWKS are fetched again regardless (JwtBearer's
    /// default: 12 hours; at least 5 minutes).</summary>
    public TimeSpan? AutomaticRefreshInterval { get; set; }

    public bool? MapInboundClaims { get; set; }

    /// <summary>ASP.NET Core's static symmetric keys: <c>SigningKeys:n:Issuer</c> + <c>SigningKeys:n:Value</c> (base64).</summary>
    public List<BearerSigningKey> SigningKeys { get; set; } = [];

    /// <summary>Keys come from the issuer's discovery document.</summary>
    public bool UsesDiscovery => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(MetadataAddress);

    /// <summary>The discovery document's address, as JwtBearer derives it.</summary>
    public string? DiscoveryAddress => !string.IsNullOrWhiteSpace(MetadataAddress)
        ? MetadataAddress
        : string.IsNullOrWhiteSpace(Authority) ? null : Authority.TrimEnd('/') + "/.well-known/openid-configuration";

    public IEnumerable<string> Issuers => ValidIssuers.Prepend(ValidIssuer).Where(i => !string.IsNullOrWhiteSpace(i))!;

    public IEnumerable<string> Audiences => ValidAudiences.Prepend(ValidAudience).Prepend(Audience).Where(a => !string.IsNullOrWhiteSpace(a))!;
}

/// <summary>One entry of <c>Authentication:Schemes:Bearer:SigningKeys</c>.</summary>
internal sealed class BearerSigningKey
{
    public string? Issuer { get; set; }

    public string? Value { get; set; }
}
