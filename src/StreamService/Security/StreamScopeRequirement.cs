using Microsoft.AspNetCore.Authorization;

namespace StreamService.Security;

/// <summary>The caller must hold a scope covering the <see cref="StreamResource"/> it asks for
/// (<see cref="StreamScopes"/>); met by <see cref="StreamScopeAuthorizationHandler"/>.</summary>
internal sealed class StreamScopeRequirement : IAuthorizationRequirement
{
    public static readonly StreamScopeRequirement Instance = new();

    private StreamScopeRequirement()
    {
    }
}
