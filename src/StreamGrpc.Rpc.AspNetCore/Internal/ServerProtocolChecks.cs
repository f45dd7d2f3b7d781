using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>Rejects requests that are not gRPC over HTTP/2, with the HTTP status the protocol
/// document asks for plus a grpc-status so gRPC clients see a clear reason.</summary>
internal static class ServerProtocolChecks
{
    public static bool Validate(HttpContext httpContext)
    {
        var request = httpContext.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            Reject(httpContext, StatusCodes.Status426UpgradeRequired, $"Request protocol '{request.Protocol}' is not supported; gRPC needs HTTP/2.");
            httpContext.Response.Headers.Upgrade = "h2c";
            return false;
        }

        if (!GrpcProtocolConstants.IsGrpcContentType(request.ContentType))
        {
            // "If Content-Type does not begin with application/grpc, gRPC servers SHOULD respond with
            // HTTP status of 415 (Unsupported Media Type)."
            Reject(httpContext, StatusCodes.Status415UnsupportedMediaType, "Content-Type is not supported; gRPC needs 'application/grpc'.");
            return false;
        }

        return true;
    }

    private static void Reject(HttpContext httpContext, int httpStatus, string message)
    {
        var response = httpContext.Response;
        response.StatusCode = httpStatus;
        response.Headers[GrpcProtocolConstants.StatusTrailer] = ((int)StatusCode.Internal).ToString(CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocolConstants.MessageTrailer] = PercentEncoding.Encode(message);
    }
}
