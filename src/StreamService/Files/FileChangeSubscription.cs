namespace StreamService.Files;

/// <summary>One followed stream's registration with <see cref="FileChangeNotifier"/>: an auto-reset
/// signal, so a change that lands while the stream is still reading is not lost but makes the next
/// wait return at once.</summary>
internal sealed class FileChangeSubscription : IDisposable
{
    private readonly FileChangeNotifier _notifier;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Lock _gate = new();
    private bool _disposed;

    internal FileChangeSubscription(FileChangeNotifier notifier, IReadOnlyCollection<(string Directory, string Name)> targets)
    {
        _notifier = notifier;
        Targets = targets;
    }

    internal IReadOnlyCollection<(string Directory, string Name)> Targets { get; }

    /// <summary>Completes with true when a change was signalled, false after <paramref name="pollInterval"/>
    /// without one (the caller then checks anyway: notifications can be lost).</summary>
    public Task<bool> WaitAsync(TimeSpan pollInterval, CancellationToken cancellationToken) =>
        _signal.WaitAsync(pollInterval, cancellationToken);

    internal bool Watches(string directory, string name)
    {
        foreach (var target in Targets)
        {
            if (string.Equals(target.Name, name, StringComparison.Ordinal)
                && string.Equals(target.Directory, directory, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    internal void Signal()
    {
        lock (_gate)
        {
            if (!_disposed && _signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _notifier.Unsubscribe(this);
        _signal.Dispose();
    }
}
