using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps row streams.</summary>
internal static class RowsEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>streamgrpc.v1.RowsService</c>.</summary>
    public static IEndpointConventionBuilder MapRows(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<StreamService.Rows.RowsService>();
}
