using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>A job's state as stored in the <c>state</c> column (the numbers of <see cref="JobState"/>).</summary>
internal enum JobStateValue : short
{
    Queued = (short)JobState.Queued,
    Running = (short)JobState.Running,
    Completed = (short)JobState.Completed,
    Failed = (short)JobState.Failed,
    Cancelled = (short)JobState.Cancelled,
}

internal static class JobStateValueExtensions
{
    public static bool IsFinal(this JobStateValue state) => state is JobStateValue.Completed or JobStateValue.Failed or JobStateValue.Cancelled;

    public static bool IsFinal(this JobEvent jobEvent) => jobEvent.KindCase is JobEvent.KindOneofCase.Completed or JobEvent.KindOneofCase.Failed;
}
