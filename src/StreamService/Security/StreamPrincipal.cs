namespace StreamService.Security;

/// <summary>An authenticated caller: a name for logs, metrics and per-caller limits, how it proved
/// itself, and what it may stream.</summary>
internal sealed record StreamPrincipal(string Name, string Scheme, StreamScopes Scopes)
{
    /// <summary>The caller of every call in <see cref="AuthMode.None"/>.</summary>
    public static StreamPrincipal Anonymous(string peer) => new("anonymous@" + peer, "none", StreamScopes.All);
}
