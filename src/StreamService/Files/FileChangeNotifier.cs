using System.Collections.Immutable;

namespace StreamService.Files;

/// <summary>Wakes followed streams when their file changes. One <see cref="FileSystemWatcher"/> per
/// directory, shared by every stream following a file in it: on Linux each watcher is an inotify
/// instance, and the default limit of those per user is small (128).</summary>
internal sealed partial class FileChangeNotifier : IDisposable
{
    private readonly ILogger<FileChangeNotifier> _logger;
    private readonly bool _useWatchers;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DirectoryWatch> _watches = new(StringComparer.Ordinal);
    private bool _disposed;

    public FileChangeNotifier(ILogger<FileChangeNotifier> logger)
        : this(logger, useWatchers: true)
    {
    }

    /// <summary>With <paramref name="useWatchers"/> false, subscribers are woken by the fallback poll
    /// only, as when the system refuses watchers (tests prove the poll alone keeps follow working).</summary>
    internal FileChangeNotifier(ILogger<FileChangeNotifier> logger, bool useWatchers)
    {
        _logger = logger;
        _useWatchers = useWatchers;
    }

    /// <summary>Signals the returned subscription whenever one of <paramref name="targets"/>
    /// (directory, file name) is written, created, deleted or renamed.</summary>
    public FileChangeSubscription Subscribe(IReadOnlyCollection<(string Directory, string Name)> targets)
    {
        var subscription = new FileChangeSubscription(this, targets);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var directory in targets.Select(t => t.Directory).Distinct(StringComparer.Ordinal))
            {
                if (!_watches.TryGetValue(directory, out var watch))
                {
                    watch = new DirectoryWatch(CreateWatcher(directory));
                    _watches[directory] = watch;
                }

                watch.Subscribers = watch.Subscribers.Add(subscription);
            }
        }

        return subscription;
    }

    internal void Unsubscribe(FileChangeSubscription subscription)
    {
        lock (_gate)
        {
            foreach (var directory in subscription.Targets.Select(t => t.Directory).Distinct(StringComparer.Ordinal))
            {
                if (_watches.TryGetValue(directory, out var watch))
                {
                    watch.Subscribers = watch.Subscribers.Remove(subscription);
                    if (watch.Subscribers.IsEmpty)
                    {
                        _watches.Remove(directory);
                        watch.Watcher?.Dispose();
                    }
                }
            }
        }
    }

    /// <summary>Directories watched right now (tests check that watchers are shared and released).</summary>
    internal int WatchedDirectoryCount
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var watch in _watches.Values)
            {
                watch.Watcher?.Dispose();
            }

            _watches.Clear();
        }
    }

    private FileSystemWatcher? CreateWatcher(string directory)
    {
        if (!_useWatchers)
        {
            return null;
        }

        try
        {
            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, e) => Dispatch(directory, e.Name);
            watcher.Created += (_, e) => Dispatch(directory, e.Name);
            watcher.Deleted += (_, e) => Dispatch(directory, e.Name);
            watcher.Renamed += (_, e) =>
            {
                Dispatch(directory, e.OldName);
                Dispatch(directory, e.Name);
            };
            // Overflow or a watcher failure: wake everyone, they re-check their files.
            watcher.Error += (_, _) => Dispatch(directory, name: null);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // e.g. the inotify instance limit: streams still work, woken by the fallback poll only.
            Log.WatcherUnavailable(_logger, e);
            return null;
        }
    }

    private void Dispatch(string directory, string? name)
    {
        ImmutableArray<FileChangeSubscription> subscribers;
        lock (_gate)
        {
            if (!_watches.TryGetValue(directory, out var watch))
            {
                return;
            }

            subscribers = watch.Subscribers;
        }

        foreach (var subscriber in subscribers)
        {
            if (name is null || subscriber.Watches(directory, name))
            {
                subscriber.Signal();
            }
        }
    }

    private sealed class DirectoryWatch(FileSystemWatcher? watcher)
    {
        public FileSystemWatcher? Watcher { get; } = watcher;

        public ImmutableArray<FileChangeSubscription> Subscribers { get; set; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "File change notifications are unavailable; followed files are polled only.")]
        public static partial void WatcherUnavailable(ILogger logger, Exception exception);
    }
}
