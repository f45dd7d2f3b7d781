using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using StreamService.Calls;

namespace StreamService.Security;

/// <summary>
/// Authentication and authorization of one call, for <see cref="StreamCallGate"/>: the request's
/// authentication result (the default scheme's, computed once per request by the authentication
/// middleware and cached by the handler), then, for stream services, the caller's scopes against
/// the <see cref="StreamResource"/> of the parsed request through <see cref="IAuthorizationService"/>.
/// gRPC, gRPC-Web and HTTP/JSON calls all reach the handlers through the gate, so these rules
/// protect every route kind. Reflection and health need authentication but no scope, and may be
/// opened to anonymous callers; ServerInfo needs authentication only, and answers with what the
/// caller's scopes cover.
/// </summary>
internal sealed partial class StreamCallAuthorizer(
    IAuthorizationService authorization,
    AuthenticationFailureDescriber failures,
    IOptions<AuthOptions> options,
    ILogger<StreamCallAuthorizer> logger)
{
    /// <summary>streamgrpc.v1.ServerInfo, which filters its answer by the caller's scopes.</summary>
    private const string InfoKind = "info";

    private readonly bool _anonymousReflection = options.Value.AllowAnonymousReflection;
    private readonly bool _anonymousHealth = options.Value.AllowAnonymousHealth;

    public async ValueTask<StreamAccess> AuthorizeAsync(HttpContext http, string service, object? request)
    {
        if ((StreamKinds.IsReflection(service) && _anonymousReflection) || (StreamKinds.IsHealth(service) && _anonymousHealth))
        {
            return StreamAccess.Allow(StreamPrincipal.Anonymous(http.Connection.RemoteIpAddress?.ToString() ?? "unknown"));
        }

        var result = await http.AuthenticateAsync();
        if (!result.Succeeded)
        {
            var (status, message) = await failures.DescribeAsync(result, http.Request, http.RequestAborted);
            return StreamAccess.Refuse(status, message);
        }

        var user = result.Principal;
        http.User = user;
        var principal = StreamPrincipal.From(user);
        var kind = StreamKinds.Of(service);
        if (StreamKinds.IsInfrastructure(service) || kind == InfoKind)
        {
            return StreamAccess.Allow(principal);
        }

        var resource = StreamResource.Of(kind, request);
        var decision = await authorization.AuthorizeAsync(user, resource, StreamScopeRequirement.Instance);
        if (decision.Succeeded)
        {
            return StreamAccess.Allow(principal);
        }

        LogDenied(principal.Name, resource.ToString());
        return StreamAccess.Refuse(StatusCode.PermissionDenied, $"caller '{principal.Name}' has no scope for '{resource}'");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caller {Caller} denied: no scope for {Scope}")]
    private partial void LogDenied(string caller, string scope);
}
