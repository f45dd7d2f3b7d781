using Grpc.Core;

namespace StreamService.Tests.Rows;

/// <summary>Keeps every message written; <paramref name="onWrite"/> lets a test act mid-stream
/// (cancel, break the database connection) after a given message.</summary>
internal sealed class CollectingStreamWriter<T>(Func<T, int, Task>? onWrite = null) : IServerStreamWriter<T>
{
    public List<T> Messages { get; } = [];

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Messages.Add(message);
        if (onWrite is not null)
        {
            await onWrite(message, Messages.Count).Within();
        }
    }
}
