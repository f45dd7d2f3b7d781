namespace StreamService.Jobs;

/// <summary>Who may write the next event of an unfinished job. Every append checks its fence in
/// the same statement, so a job taken over stays taken over: its old runner's appends find nothing
/// to update and the runner stops.</summary>
/// <param name="Self">This process (instance id and incarnation) owns the job.</param>
/// <param name="PreviousIncarnations">The job belongs to an earlier process with this instance's id:
/// that process is gone (this one is its restart).</param>
/// <param name="OrphanAfter">The owner has not confirmed the job for this long.</param>
internal readonly record struct JobFence(bool Self, bool PreviousIncarnations, TimeSpan? OrphanAfter)
{
    /// <summary>The runner of the job.</summary>
    public static JobFence Owner { get; } = new(true, false, null);

    /// <summary>Taking over jobs after a restart or from a dead instance.</summary>
    public static JobFence Abandoned(TimeSpan orphanAfter) => new(false, true, orphanAfter);
}
