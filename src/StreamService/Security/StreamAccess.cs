using Grpc.Core;

namespace StreamService.Security;

/// <summary>The decision on one call: its caller, or the status and message it is refused with
/// (UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE; the message names no secret).</summary>
internal readonly record struct StreamAccess(StreamPrincipal? Principal, StatusCode Status, string? Refusal)
{
    public static StreamAccess Allow(StreamPrincipal principal) => new(principal, StatusCode.OK, null);

    public static StreamAccess Refuse(StatusCode status, string message) => new(null, status, message);
}
