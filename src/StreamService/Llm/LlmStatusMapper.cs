using System.Globalization;
using Grpc.Core;

namespace StreamService.Llm;

/// <summary>The one place where LLM failures become gRPC statuses.
/// <list type="table">
///   <item><term>invalid request</term><description>INVALID_ARGUMENT</description></item>
///   <item><term>unknown model (here or upstream)</term><description>NOT_FOUND</description></item>
///   <item><term>upstream 401 / 403</term><description>UNAUTHENTICATED / PERMISSION_DENIED, as gRPC's
///   HTTP-to-gRPC status mapping does, with a message saying it is the server's key</description></item>
///   <item><term>upstream 429</term><description>RESOURCE_EXHAUSTED, with <c>retry-after</c> (seconds)
///   and <c>grpc-retry-pushback-ms</c> (gRPC retry design A6) trailers when the upstream said</description></item>
///   <item><term>upstream 5xx, refused, timeouts, broken streams</term><description>UNAVAILABLE</description></item>
///   <item><term>upstream protocol violations, anything unexpected</term><description>INTERNAL</description></item>
/// </list></summary>
internal static class LlmStatusMapper
{
    public const string RetryAfterTrailer = "retry-after";
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException ModelNotFound(string model, IEnumerable<string> known)
        => new(new Status(StatusCode.NotFound, $"Model '{model}' is not served here. Known models: {string.Join(", ", known.Order(StringComparer.Ordinal))}."));

    public static RpcException ServerStopping()
        => new(new Status(StatusCode.Unavailable, "The server is shutting down; the completion was stopped. Retry on another instance."));

    public static RpcException FromFailure(Exception exception)
    {
        if (exception is not LlmBackendException failure)
        {
            return new RpcException(new Status(StatusCode.Internal, "The model backend failed unexpectedly."));
        }

        var code = failure.Kind switch
        {
            LlmFailureKind.Unauthenticated => StatusCode.Unauthenticated,
            LlmFailureKind.PermissionDenied => StatusCode.PermissionDenied,
            LlmFailureKind.RateLimited => StatusCode.ResourceExhausted,
            LlmFailureKind.Unavailable => StatusCode.Unavailable,
            LlmFailureKind.InvalidRequest => StatusCode.InvalidArgument,
            LlmFailureKind.ModelNotFound => StatusCode.NotFound,
            _ => StatusCode.Internal,
        };

        var trailers = new Metadata();
        if (failure.RetryAfter is { } retryAfter)
        {
            trailers.Add(RetryAfterTrailer, Math.Ceiling(retryAfter.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
            trailers.Add(RetryPushbackTrailer, Math.Ceiling(retryAfter.TotalMilliseconds).ToString("0", CultureInfo.InvariantCulture));
        }

        return new RpcException(new Status(code, failure.Message), trailers);
    }
}
