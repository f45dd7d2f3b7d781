namespace StreamService.Http;

/// <summary>Where the OpenAPI document of the HTTP/JSON routes is served.</summary>
internal static class OpenApiDocument
{
    /// <summary>The document's name in Swashbuckle.</summary>
    public const string Name = "v1";

    /// <summary>The route the document is served on.</summary>
    public const string Path = "/openapi/" + Name + ".json";
}
