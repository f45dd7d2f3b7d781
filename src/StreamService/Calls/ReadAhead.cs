using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace StreamService.Calls;

/// <summary>Runs a stream's producer (reading, filtering, batching) on its own task, at most
/// <c>capacity</c> messages ahead of the consumer (serialising and writing to the caller), so the two
/// halves of one stream use two cores instead of taking turns on one. The bound keeps the consumer's
/// pace the only pacing: a slow caller stops the producer after <c>capacity</c> messages.</summary>
internal static class ReadAhead
{
    /// <summary>The items of <paramref name="source"/>, produced ahead. Its failures surface here as
    /// they were thrown; when the consumer stops (done, failed or cancelled) the producer is cancelled
    /// and awaited before this returns, so nothing it holds (a file, a query) outlives the stream;
    /// items produced but never handed out are disposed when they are disposable (pooled buffers).</summary>
    public static async IAsyncEnumerable<T> ReadAheadAsync<T>(this IAsyncEnumerable<T> source, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(source, channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
            while (channel.Reader.TryRead(out var left))
            {
                (left as IDisposable)?.Dispose();
            }
        }
    }

    private static async Task ProduceAsync<T>(IAsyncEnumerable<T> source, ChannelWriter<T> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            }

            writer.TryComplete();
        }
        catch (Exception e)
        {
            // Handed to the consumer, which rethrows it (WaitToReadAsync throws the completion error).
            writer.TryComplete(e);
        }
    }
}
