namespace StreamService.Jobs;

/// <summary>The job is no longer this runner's to write: another instance marked it failed (its
/// owner looked dead, or this instance was restarted under the same id). The runner stops the job
/// without writing another event and rolls its rows back.</summary>
internal sealed class JobOwnershipLostException() : Exception("the job was taken over by another instance");
