using Grpc.Core;
using StreamService.Security;

namespace StreamService;

/// <summary>The one-line hook feature services call first: <c>context.DemandScope("rows", request.Dataset);</c></summary>
internal static class ServerCallContextAuthorizationExtensions
{
    /// <summary>See <see cref="IStreamAuthorizer.Demand"/>. In-process invocations (no HTTP call) are not checked.</summary>
    public static void DemandScope(this ServerCallContext context, string kind, string? resource)
    {
        if (Calls.StreamCall.Services(context) is not { } services)
        {
            // Not a served call: a handler invoked in-process (feature tests) with a context of its
            // own. Every call that arrives over the network is an ASP.NET Core call and is checked.
            return;
        }

        services.GetRequiredService<IStreamAuthorizer>().Demand(context, kind, resource);
    }
}
