using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamGrpc.Interop.V1;

namespace StreamGrpc.Interop.Server;

/// <summary>Says which implementation serves and since when. It exists mostly for its descriptor:
/// reflection must return it with its well-known-type dependencies.</summary>
internal sealed class InteropProbeService(ServerStartTime startTime, TimeProvider timeProvider) : InteropProbe.InteropProbeBase
{
    public override Task<ServerInfo> GetServerInfo(Empty request, ServerCallContext context)
    {
        var now = timeProvider.GetUtcNow();
        return Task.FromResult(new ServerInfo
        {
            Implementation = "StreamGrpc",
            StartedAt = Timestamp.FromDateTimeOffset(startTime.Value),
            Uptime = Duration.FromTimeSpan(now - startTime.Value),
        });
    }
}
