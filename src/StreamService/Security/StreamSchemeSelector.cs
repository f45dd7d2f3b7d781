using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>
/// Picks the scheme of a request for the <see cref="StreamAuthenticationSchemes.Default"/> policy
/// scheme. API keys and JWTs share the header (<c>authorization: Bearer &lt;token&gt;</c>), so the
/// choice is by the token's shape: a compact JWS (three dot-separated parts) goes to JwtBearer when
/// a JWT issuer is configured; everything else, a missing header included, to the API-key handler,
/// which says what is wrong with it.
/// </summary>
internal sealed class StreamSchemeSelector(IOptions<AuthOptions> options) : IConfigureNamedOptions<PolicySchemeOptions>
{
    public void Configure(string? name, PolicySchemeOptions policy)
    {
        if (name != StreamAuthenticationSchemes.Default)
        {
            return;
        }

        var auth = options.Value;
        if (auth.EffectiveMode == AuthMode.None)
        {
            policy.ForwardDefault = StreamAuthenticationSchemes.Anonymous;
            return;
        }

        var jwt = auth.JwtEnabled;
        policy.ForwardDefaultSelector = http =>
            jwt && BearerToken.From(http.Request) is { } token && BearerToken.LooksLikeJwt(token)
                ? StreamAuthenticationSchemes.Jwt
                : StreamAuthenticationSchemes.ApiKey;
    }

    public void Configure(PolicySchemeOptions options) => Configure(Options.DefaultName, options);
}
