using System.Security.Claims;

namespace StreamService.Security;

/// <summary>An authenticated caller as the call gate keeps it: a name for logs, metrics and
/// per-caller limits, how it proved itself, and what it may stream.</summary>
internal sealed record StreamPrincipal(string Name, string Scheme, StreamScopes Scopes)
{
    /// <summary>The caller of every call in <see cref="AuthMode.None"/>, and of reflection and
    /// health when they are open to anonymous callers.</summary>
    public static StreamPrincipal Anonymous(string peer) => new("anonymous@" + peer, "none", StreamScopes.All);

    /// <summary>The caller of an authenticated <see cref="StreamIdentity"/>.</summary>
    public static StreamPrincipal From(ClaimsPrincipal user) => new(
        user.FindFirst(StreamIdentity.CallerClaim)?.Value ?? user.Identity?.Name ?? "unknown",
        user.Identity?.AuthenticationType ?? "unknown",
        StreamIdentity.ScopesOf(user));
}
