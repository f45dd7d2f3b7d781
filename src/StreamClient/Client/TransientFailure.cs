using System.Net.Http;
using Grpc.Core;

namespace StreamClient;

/// <summary>Which failures a stream resumes from. UNAVAILABLE is the service's word for "try again"
/// (restart, drain, database blip); a transport failure (connection reset, GOAWAY, refused) is
/// transient whatever status the HTTP/2 mapping gave it. Everything else surfaces at once.</summary>
internal static class TransientFailure
{
    public static bool IsTransient(RpcException ex)
        => ex.StatusCode == StatusCode.Unavailable
            || (ex.StatusCode is StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled
                && ex.Status.DebugException is HttpRequestException or IOException);
}
