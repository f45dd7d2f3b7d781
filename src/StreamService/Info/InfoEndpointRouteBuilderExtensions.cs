using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the server info service.</summary>
internal static class InfoEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>streamgrpc.v1.ServerInfo</c> (gRPC, and <c>GET /v1/info</c> through JSON transcoding).</summary>
    public static IEndpointConventionBuilder MapServerInfo(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<StreamService.Info.ServerInfoService>();
}
