using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StreamService.Tests.Rows;

/// <summary>Records log messages, so a test can see which SQL commands Npgsql executed.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, string Message)> Entries { get; } = new();

    /// <summary>Commands Npgsql logged as executed (category Npgsql.Command).</summary>
    public List<string> Commands => [.. Entries.Where(e => e.Category.StartsWith("Npgsql.Command", StringComparison.Ordinal)).Select(e => e.Message)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, formatter(state, exception)));
    }
}
