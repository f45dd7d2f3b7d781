using StreamService.Files;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Endpoints of the files feature (in the routing namespace so the app builder needs no extra using).</summary>
internal static class FilesEndpointRouteBuilderExtensions
{
    /// <summary>Maps the <c>streamgrpc.v1.FileLines</c> service.</summary>
    public static IEndpointConventionBuilder MapFiles(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<FilesService>();
}
