using System.Globalization;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Writers;
using Swashbuckle.AspNetCore.Swagger;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the OpenAPI document of the HTTP/JSON routes.</summary>
internal static class OpenApiEndpointRouteBuilderExtensions
{
    /// <summary>Serves the document at <see cref="StreamService.Http.OpenApiDocument.Path"/> (OpenAPI 3.0
    /// JSON), without credentials: it lists routes and message shapes, never data (server reflection,
    /// which needs a gRPC client to read, stays behind authentication unless opened).</summary>
    /// <remarks>A plain <see cref="RequestDelegate"/> over Swashbuckle's <see cref="ISwaggerProvider"/>
    /// rather than <c>MapSwagger</c>: that builds a middleware pipeline at start-up, compiling an
    /// expression tree for the middleware's invoke (System.Linq.Expressions and its JIT code, about
    /// 2 MiB of resident memory) for a document most instances never serve. Nothing of the generator
    /// runs now until the first request for the document.</remarks>
    public static IEndpointConventionBuilder MapStreamOpenApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(StreamService.Http.OpenApiDocument.Path, new RequestDelegate(WriteDocumentAsync));

    private static async Task WriteDocumentAsync(HttpContext context)
    {
        var document = context.RequestServices.GetRequiredService<ISwaggerProvider>().GetSwagger(StreamService.Http.OpenApiDocument.Name);
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }
}
