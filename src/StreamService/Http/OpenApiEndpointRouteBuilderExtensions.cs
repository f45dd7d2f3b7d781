using Microsoft.AspNetCore.Routing;
using Swashbuckle.AspNetCore.Swagger;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the OpenAPI document of the HTTP/JSON routes.</summary>
internal static class OpenApiEndpointRouteBuilderExtensions
{
    /// <summary>Serves the document at <see cref="StreamService.Http.OpenApiDocument.Path"/> (OpenAPI 3.0
    /// JSON), without credentials: it lists routes and message shapes, never data (server reflection,
    /// which needs a gRPC client to read, stays behind authentication unless opened).</summary>
    public static IEndpointConventionBuilder MapStreamOpenApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapSwagger(StreamService.Http.OpenApiDocument.RoutePattern);
}
