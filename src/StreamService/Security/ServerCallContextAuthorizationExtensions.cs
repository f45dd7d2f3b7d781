using Grpc.Core;
using StreamService.Security;

namespace StreamService;

/// <summary>The one-line hook feature services call first: <c>context.DemandScope("rows", request.Dataset);</c></summary>
internal static class ServerCallContextAuthorizationExtensions
{
    /// <summary>See <see cref="IStreamAuthorizer.Demand"/>.</summary>
    public static void DemandScope(this ServerCallContext context, string kind, string? resource)
    {
        var authorizer = Calls.StreamCall.Services(context)?.GetService<IStreamAuthorizer>()
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "the call has no authenticated caller"));
        authorizer.Demand(context, kind, resource);
    }
}
