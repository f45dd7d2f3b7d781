using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>A job's row: what callers see, plus the instance that runs it.</summary>
internal sealed record StoredJob(JobInfo Info, string Owner)
{
    public bool IsFinal => ((JobStateValue)Info.State).IsFinal();
}
