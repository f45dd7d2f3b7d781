using System.Net.Http;
using Grpc.Core;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.Client;

/// <summary>Maps every failure a client call can meet to one <see cref="Status"/>, in one place.</summary>
internal static class ClientErrorMapping
{
    public static readonly Status DeadlineExceeded = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    public static readonly Status CancelledByClient = new(StatusCode.Cancelled, "Call canceled by the client.");
    public static readonly Status Disposed = new(StatusCode.Cancelled, "gRPC call disposed.");

    public static Status ToStatus(Exception ex, string stage)
    {
        switch (ex)
        {
            case RpcException rpc:
                return rpc.Status;
            case HttpProtocolException protocol:
                return new Status(HttpStatusMapping.FromHttp2ErrorCode(protocol.ErrorCode), $"{stage}: the server ended the HTTP/2 stream (error code 0x{protocol.ErrorCode:x}).", ex);
            case HttpRequestException { InnerException: HttpProtocolException protocol }:
                return new Status(HttpStatusMapping.FromHttp2ErrorCode(protocol.ErrorCode), $"{stage}: the server ended the HTTP/2 stream (error code 0x{protocol.ErrorCode:x}).", ex);
            case HttpRequestException request:
                return new Status(StatusCode.Unavailable, $"{stage}: {request.HttpRequestError} ({Describe(request)}).", ex);
            case IOException io:
                return new Status(StatusCode.Unavailable, $"{stage}: the connection failed ({io.Message}).", ex);
            case OperationCanceledException:
                return new Status(StatusCode.Cancelled, $"{stage}: the call was cancelled.", ex);
            default:
                return new Status(StatusCode.Internal, $"{stage}: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private static string Describe(HttpRequestException ex)
        => ex.InnerException is { } inner ? inner.Message : ex.Message;
}
