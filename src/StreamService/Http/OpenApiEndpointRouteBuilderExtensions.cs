using Microsoft.AspNetCore.Routing;
using Swashbuckle.AspNetCore.Swagger;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the OpenAPI document of the HTTP/JSON routes.</summary>
internal static class OpenApiEndpointRouteBuilderExtensions
{
    /// <summary>Serves the document at <see cref="StreamService.Http.OpenApiDocument.Path"/> (OpenAPI 3.0 JSON).
    /// It describes the service, so it is open like reflection is not: it lists routes and message
    /// shapes only, never data.</summary>
    public static IEndpointConventionBuilder MapStreamOpenApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapSwagger(StreamService.Http.OpenApiDocument.Path.Replace("v1", "{documentName}", StringComparison.Ordinal));
}
