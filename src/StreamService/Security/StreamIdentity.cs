using System.Security.Claims;

namespace StreamService.Security;

/// <summary>
/// The one shape of an authenticated caller, whatever proved it: a <see cref="ClaimsIdentity"/>
/// whose name is the caller (API key name, JWT subject, <c>anonymous@ip</c>) and whose
/// <see cref="ScopeClaim"/> claims are what it may stream. Authorization reads only these claims,
/// so a scope means the same for every scheme and route.
/// </summary>
internal static class StreamIdentity
{
    /// <summary>The caller's name for logs, metrics and per-caller limits.</summary>
    public const string CallerClaim = "streamgrpc.caller";

    /// <summary>One scope (<see cref="StreamScopes"/>) per claim.</summary>
    public const string ScopeClaim = "streamgrpc.scope";

    public static ClaimsPrincipal Create(string caller, string authenticationType, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity(authenticationType, CallerClaim, roleType: null);
        identity.AddClaim(new Claim(CallerClaim, caller));
        foreach (var scope in scopes)
        {
            identity.AddClaim(new Claim(ScopeClaim, scope));
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// The identity of a validated JWT: the caller is <c>sub</c>, else <c>client_id</c>/<c>azp</c>
    /// (client-credentials tokens of some issuers carry no subject); the scopes come from
    /// <paramref name="scopeClaims"/>, each space-separated (OAuth <c>scope</c>) or repeated (a
    /// JSON array such as Entra ID's <c>roles</c>). The token's own claims are kept for handlers
    /// that want them, except any that pose as this service's claims.
    /// </summary>
    public static ClaimsPrincipal FromJwt(ClaimsPrincipal validated, IReadOnlyCollection<string> scopeClaims)
    {
        var claims = validated.Claims.Where(c => c.Type is not (CallerClaim or ScopeClaim)).ToList();
        var caller = claims.FirstOrDefault(c => c.Type == "sub")?.Value
            ?? claims.FirstOrDefault(c => c.Type is "client_id" or "azp")?.Value
            ?? "jwt";
        var scopes = claims.Where(c => scopeClaims.Contains(c.Type))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var identity = new ClaimsIdentity(claims, "jwt", CallerClaim, roleType: null);
        identity.AddClaim(new Claim(CallerClaim, caller));
        foreach (var scope in scopes.Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(ScopeClaim, scope));
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>The scopes of an authenticated caller; none for a principal of no scheme of ours.</summary>
    public static StreamScopes ScopesOf(ClaimsPrincipal user)
        => new(user.FindAll(ScopeClaim).Select(c => c.Value));
}
