namespace StreamService.Jobs;

/// <summary>A watcher's wake-up signal for one job: set by notifications, consumed by the watcher,
/// which then reads the new events from the database. Signals coalesce (a burst of notifications
/// wakes the watcher once), so a slow watcher never queues anything.</summary>
internal sealed class JobSubscription(Guid jobId, Action<JobSubscription> unsubscribe) : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public Guid JobId { get; } = jobId;

    public void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    /// <summary>Waits for a signal; false after <paramref name="timeout"/> without one.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => unsubscribe(this);
}
