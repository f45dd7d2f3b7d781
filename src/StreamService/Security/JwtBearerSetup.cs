using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace StreamService.Security;

/// <summary>
/// Configures ASP.NET Core's JwtBearer as the <see cref="StreamAuthenticationSchemes.Jwt"/> scheme,
/// after ASP.NET Core has bound <c>Authentication:Schemes:Bearer</c> into it: adds the
/// <c>StreamGrpc:Auth:Jwt</c> issuer, audience and static keys, the keys ASP.NET Core does not
/// bind (<c>Audience</c>, <c>AutomaticRefreshInterval</c>), and the rules the service always holds
/// to (signed tokens with an expiry; lifetime checked with the configured clock skew). A validated
/// token becomes a <see cref="StreamIdentity"/>. After JwtBearer has created its
/// ConfigurationManager, switches off its last-known-good fallback (see <see cref="PostConfigure"/>).
/// </summary>
internal sealed class JwtBearerSetup(IOptions<AuthOptions> options) : IConfigureNamedOptions<JwtBearerOptions>, IPostConfigureOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions bearer)
    {
        if (name != StreamAuthenticationSchemes.Jwt)
        {
            return;
        }

        var auth = options.Value;
        var jwt = auth.Jwt;
        var scheme = auth.BearerScheme;

        // ASP.NET Core maps short claim names (scp, sub) to long URIs unless told not to; scopes are
        // read by the names issuers put in tokens.
        bearer.MapInboundClaims = scheme.MapInboundClaims ?? false;
        if (scheme.AutomaticRefreshInterval is { } automatic)
        {
            bearer.AutomaticRefreshInterval = automatic;
        }

        var parameters = bearer.TokenValidationParameters;
        if (jwt.Enabled)
        {
            parameters.ValidIssuers = (parameters.ValidIssuers ?? []).Append(jwt.Issuer!).ToList();
        }

        var audiences = scheme.Audiences.Append(jwt.Audience).Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal).ToList();
        parameters.ValidAudiences = (parameters.ValidAudiences ?? []).Concat(audiences!).Distinct(StringComparer.Ordinal).ToList();

        // Before JwtBearer, tokens with static keys and no configured audience were not checked for
        // one; that still holds. With a discovery document an audience is required (validated at
        // start-up), unless ValidateAudience=false says otherwise.
        parameters.ValidateAudience = scheme.ValidateAudience ?? (audiences.Count > 0 || !string.IsNullOrEmpty(parameters.ValidAudience));

        var staticKeys = jwt.SigningKeys.Select(k => (SecurityKey)new SymmetricSecurityKey(Convert.FromBase64String(k)))
            .Concat(jwt.PublicKeyFiles.Select(PublicKeyPem.Load))
            .ToList();
        if (staticKeys.Count > 0)
        {
            parameters.IssuerSigningKeys = (parameters.IssuerSigningKeys ?? []).Concat(staticKeys).ToList();
        }

        parameters.ValidateIssuer = true;
        parameters.ValidateIssuerSigningKey = true;
        parameters.RequireSignedTokens = true;
        parameters.RequireExpirationTime = true;
        parameters.ValidateLifetime = true;
        parameters.ClockSkew = jwt.ClockSkew;
        parameters.NameClaimType = StreamIdentity.CallerClaim;

        var scopeClaims = jwt.ScopeClaims.ToArray();
        bearer.Events ??= new JwtBearerEvents();
        bearer.Events.OnTokenValidated = context =>
        {
            context.Principal = StreamIdentity.FromJwt(context.Principal!, scopeClaims);
            return Task.CompletedTask;
        };

        // Anything that goes wrong while validating is a failed authentication (UNAUTHENTICATED or
        // UNAVAILABLE from the gate), never an exception out of the authentication middleware.
        bearer.Events.OnAuthenticationFailed = context =>
        {
            context.Fail(context.Exception);
            return Task.CompletedTask;
        };
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    /// <summary>
    /// Runs after JwtBearer's own post-configuration, which creates the ConfigurationManager from
    /// Authority/MetadataAddress. Its last-known-good fallback would go on accepting tokens signed
    /// with a key the issuer has withdrawn from its JWKS for an hour (it revalidates a token that
    /// names an unknown <c>kid</c> against earlier configurations): a withdrawn key is refused from
    /// the refresh that saw it gone.
    /// </summary>
    public void PostConfigure(string? name, JwtBearerOptions bearer)
    {
        if (name == StreamAuthenticationSchemes.Jwt && bearer.ConfigurationManager is BaseConfigurationManager manager)
        {
            manager.UseLastKnownGoodConfiguration = false;
        }
    }
}
