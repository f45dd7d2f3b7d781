using Grpc.Core;
using StreamService.Calls;

namespace StreamService;

/// <summary>The one-line progress hook of feature services.</summary>
internal static class ServerCallContextStreamExtensions
{
    /// <summary>Registers how to read the call's progress: <paramref name="items"/> counts what has
    /// been delivered (metrics read it when they are collected, so writes pay nothing), and
    /// <paramref name="resumePoint"/> adds the trailers to resume from, written when a drain ends
    /// the call (rows: <c>streamgrpc-resume-token</c>; files: <c>streamgrpc-resume-offset</c> and
    /// <c>-line</c>; jobs: <c>streamgrpc-resume-seq</c>). Either may be null. Outside a served call (unit
    /// tests) this does nothing.</summary>
    public static void TrackProgress(this ServerCallContext context, Func<long>? items, Action<Metadata>? resumePoint = null)
    {
        if (StreamCall.Of(context) is { } call)
        {
            call.Items = items;
            call.ResumePoint = resumePoint;
        }
    }
}
