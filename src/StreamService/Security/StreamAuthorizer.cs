using Grpc.Core;
using StreamService.Calls;

namespace StreamService.Security;

/// <summary>Checks the call's principal (set by <see cref="StreamCallGate"/>) against the scope
/// asked for. Fails closed: a call that did not pass the gate has no principal.</summary>
internal sealed partial class StreamAuthorizer(ILogger<StreamAuthorizer> logger) : IStreamAuthorizer
{
    public void Demand(ServerCallContext context, string kind, string? resource)
    {
        var call = StreamCall.Of(context);
        if (call?.Principal is not { } principal)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the call has no authenticated caller"));
        }

        if (principal.Scopes.Allows(kind, resource))
        {
            return;
        }

        var scope = resource is null ? kind : kind + ":" + resource;
        LogDenied(principal.Name, scope);
        throw new RpcException(new Status(StatusCode.PermissionDenied, $"caller '{principal.Name}' has no scope for '{scope}'"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caller {Caller} denied: no scope for {Scope}")]
    private partial void LogDenied(string caller, string scope);
}
