using Microsoft.AspNetCore.Authorization;

namespace StreamService.Security;

/// <summary>Meets <see cref="StreamScopeRequirement"/> for an authenticated caller whose scopes
/// (<see cref="StreamIdentity.ScopeClaim"/>) cover the resource. Never fails the requirement itself:
/// without success the authorization fails, so a caller of no scheme of ours is refused.</summary>
internal sealed class StreamScopeAuthorizationHandler : AuthorizationHandler<StreamScopeRequirement, StreamResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StreamScopeRequirement requirement, StreamResource resource)
    {
        if (context.User.Identity?.IsAuthenticated == true && StreamIdentity.ScopesOf(context.User).Allows(resource.Kind, resource.Name))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
