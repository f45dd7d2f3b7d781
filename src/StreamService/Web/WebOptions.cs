namespace StreamService.Web;

/// <summary><c>StreamGrpc:Web</c>: gRPC-Web for browsers and which web origins may call the service
/// cross-origin (CORS).</summary>
internal sealed class WebOptions
{
    public const string SectionName = "StreamGrpc:Web";

    /// <summary>Serve gRPC-Web (<c>application/grpc-web</c> and <c>application/grpc-web-text</c>)
    /// beside gRPC on every service. On by default; it needs an HTTP/1.1 endpoint for browsers on
    /// plaintext (README, "gRPC-Web and CORS").</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Origins (<c>scheme://host[:port]</c>) whose pages may call the service from a
    /// browser. None by default: same-origin pages (the status page) need no entry.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may cache a preflight answer.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);
}
