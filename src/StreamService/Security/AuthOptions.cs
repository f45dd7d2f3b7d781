namespace StreamService.Security;

/// <summary>Configuration section <c>StreamGrpc:Auth</c>, plus what the service reads from
/// <c>Authentication:Schemes:Bearer</c> (<see cref="BearerScheme"/>).</summary>
internal sealed class AuthOptions
{
    public const string SectionName = "StreamGrpc:Auth";

    /// <summary>Bearer or None. When not configured: None in the Development environment, Bearer otherwise.</summary>
    public AuthMode? Mode { get; set; }

    /// <summary>Let unauthenticated callers use server reflection (grpcurl list/describe).</summary>
    public bool AllowAnonymousReflection { get; set; }

    /// <summary>Let unauthenticated callers use grpc.health.v1.Health (probes of orchestrators and
    /// load balancers that carry no credentials).</summary>
    public bool AllowAnonymousHealth { get; set; }

    /// <summary>API keys by name; the name identifies the caller in logs, metrics and limits.</summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    public JwtOptions Jwt { get; set; } = new();

    /// <summary>The <c>Authentication:Schemes:Bearer</c> section (set by <see cref="AuthOptionsSetup"/>, not bound here).</summary>
    public BearerSchemeSettings BearerScheme { get; set; } = new();

    /// <summary>Whether <c>Authentication:Schemes:Bearer</c> has any setting.</summary>
    public bool BearerSchemeConfigured { get; set; }

    public AuthMode EffectiveMode => Mode ?? AuthMode.Bearer;

    /// <summary>JWTs are accepted: an issuer's discovery document or static keys are configured in
    /// either section.</summary>
    public bool JwtEnabled => Jwt.Enabled || BearerSchemeConfigured;
}
