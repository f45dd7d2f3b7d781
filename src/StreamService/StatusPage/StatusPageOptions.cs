namespace StreamService.StatusPage;

/// <summary><c>StreamGrpc:StatusPage</c>: the live status page at <c>/</c>.</summary>
internal sealed class StatusPageOptions
{
    public const string SectionName = "StreamGrpc:StatusPage";

    /// <summary>Serve the page (static HTML, CSS and JavaScript: it holds no data; everything it
    /// shows comes from the HTTP/JSON and gRPC-Web calls it makes, behind authentication).</summary>
    public bool Enabled { get; set; } = true;
}
