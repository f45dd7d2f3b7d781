using StreamService.Calls;

namespace StreamService.Tests.Calls;

/// <summary>The read-ahead stage between a stream's producer and its writer: bounded, failures
/// passed through, and the producer finished before the consumer's loop ends.</summary>
public sealed class ReadAheadTests
{
    [Fact]
    public async Task ReadAheadAsync_SlowConsumer_ProducerNeverLeadsByMoreThanCapacityPlusOne()
    {
        var source = new CountingSource(1_000);
        var consumed = 0;
        await foreach (var item in source.ReadAsync().ReadAheadAsync(capacity: 1))
        {
            Assert.Equal(consumed, item);
            consumed++;

            // One item waiting in the channel and one the producer holds while it waits for room.
            Assert.InRange(Volatile.Read(ref source.Produced), consumed, consumed + 2);
            await Task.Yield();
        }

        Assert.Equal(1_000, consumed);
    }

    [Fact]
    public async Task ReadAheadAsync_SourceFails_ItemsBeforeArriveThenTheSameException()
    {
        var received = new List<int>();
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var item in Failing().ReadAheadAsync(capacity: 1))
            {
                received.Add(item);
            }
        });

        Assert.Equal([0, 1], received);
        Assert.Equal("broken at 2", error.Message);

        static async IAsyncEnumerable<int> Failing()
        {
            yield return 0;
            yield return 1;
            await Task.Yield();
            throw new InvalidDataException("broken at 2");
        }
    }

    [Fact]
    public async Task ReadAheadAsync_ConsumerStopsEarly_ProducerIsCancelledAndFinishedFirst()
    {
        var source = new CountingSource(int.MaxValue);
        await foreach (var item in source.ReadAsync().ReadAheadAsync(capacity: 1))
        {
            if (item == 3)
            {
                break;
            }
        }

        // Leaving the loop disposed the read-ahead, which awaited the producer: the source's
        // finally (where a file or a query would be closed) has run, after a cancellation.
        Assert.True(source.Finished);
        Assert.True(source.SawCancellation);
    }

    [Fact]
    public async Task ReadAheadAsync_CallCancelled_ConsumerSeesCancellationAndProducerIsFinished()
    {
        using var cancellation = new CancellationTokenSource();
        var source = new CountingSource(int.MaxValue);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in source.ReadAsync().ReadAheadAsync(capacity: 1, cancellation.Token))
            {
                if (item == 2)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        Assert.True(source.Finished);
    }

    private sealed class CountingSource(int count)
    {
        public int Produced;

        public bool Finished { get; private set; }

        public bool SawCancellation { get; private set; }

        public async IAsyncEnumerable<int> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            try
            {
                for (var i = 0; i < count; i++)
                {
                    Interlocked.Increment(ref Produced);
                    yield return i;
                    await Task.Yield();
                }
            }
            finally
            {
                SawCancellation = cancellationToken.IsCancellationRequested;
                Finished = true;
            }
        }
    }
}
