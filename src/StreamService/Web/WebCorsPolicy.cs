using Microsoft.AspNetCore.Cors.Infrastructure;

namespace StreamService.Web;

/// <summary>The CORS policy of gRPC-Web calls from the configured origins: the request headers a
/// gRPC-Web client sends, and the response headers its script must be able to read. In a
/// Trailers-Only gRPC-Web response (a refusal, an early error) the status and the resume point
/// arrive as headers, so they are exposed along with the call id.</summary>
internal static class WebCorsPolicy
{
    public const string Name = "StreamGrpc.Web";

    /// <summary>What browsers may send: the gRPC-Web client's own headers and the bearer token.</summary>
    public static readonly string[] RequestHeaders =
    [
        "authorization", "content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "grpc-accept-encoding", "grpc-encoding", "connect-protocol-version", "connect-timeout-ms",
    ];

    /// <summary>What browser scripts may read (listed one by one: a <c>*</c> is not honoured for
    /// requests that carry an Authorization header).</summary>
    public static readonly string[] ExposedHeaders =
    [
        "grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding",
        ResumeTrailers.Token, ResumeTrailers.Offset, ResumeTrailers.Line, ResumeTrailers.Sequence,
        Calls.StreamCallGate.CallIdHeader,
    ];

    public static void Configure(CorsOptions cors, WebOptions web) =>
        cors.AddPolicy(Name, policy => policy
            .WithOrigins([.. web.AllowedOrigins])
            .WithMethods("POST", "GET")
            .WithHeaders(RequestHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(web.PreflightMaxAge));
}
