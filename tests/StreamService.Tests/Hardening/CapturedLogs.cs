using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StreamService.Tests.Hardening;

/// <summary>A logger provider that keeps every entry with the scope values active when it was written.</summary>
internal sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Seen)> _waiters = new();

    public ConcurrentQueue<Entry> Entries { get; } = new();

    /// <summary>Completes when an entry matching <paramref name="match"/> is logged (or already was).</summary>
    public Task<Entry> WaitForAsync(Func<Entry, bool> match)
    {
        var seen = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (Entries.FirstOrDefault(match) is { } existing)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((match, seen));
        }

        return seen.Task;
    }

    private void Add(Entry entry)
    {
        lock (_waiters)
        {
            Entries.Enqueue(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(entry))
                {
                    _waiters[i].Seen.TrySetResult(entry);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    internal sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Scope);

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>();
            owner._scopes.ForEachScope(static (s, d) =>
            {
                if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (k, v) in pairs)
                    {
                        d[k] = v;
                    }
                }
            }, scope);
            owner.Add(new Entry(category, logLevel, formatter(state, exception), scope));
        }
    }
}
