using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>Answers gRPC requests for methods and services that are not mapped with
/// UNIMPLEMENTED (Trailers-Only); other requests get a plain 404.</summary>
internal static class UnimplementedCallHandler
{
    public static Task HandleAsync(HttpContext httpContext, GrpcServiceRegistry registry)
    {
        var response = httpContext.Response;
        if (!GrpcProtocolConstants.IsGrpcContentType(httpContext.Request.ContentType))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var service = httpContext.GetRouteValue("unimplementedService") as string ?? string.Empty;
        var message = registry.ContainsService(service) ? "Method is unimplemented." : "Service is unimplemented.";
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocolConstants.ContentType;
        response.Headers[GrpcProtocolConstants.StatusTrailer] = ((int)StatusCode.Unimplemented).ToString(CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocolConstants.MessageTrailer] = message;
        return Task.CompletedTask;
    }
}
