using StreamGrpc.V1;
using StreamService.Files;

namespace StreamService.Tests.Files;

public sealed class LineBatcherTests
{
    private static LineItem Line(long number, string text) => LineItem.Line(number, (number - 1) * 10, number * 10, text, false);

    private static async IAsyncEnumerable<LineItem> Items(params LineItem[] items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    private static async Task<List<LineBatch>> Batch(LineBatcher batcher, params LineItem[] items)
    {
        var batches = new List<LineBatch>();
        await foreach (var encoded in batcher.BatchAsync(Items(items)))
        {
            using (encoded)
            {
                var batch = LineBatch.Parser.ParseFrom(encoded.Message);
                Assert.Equal(batch.Lines.Count, encoded.LineCount);
                Assert.Equal(batch.Next, encoded.Next);
                batches.Add(batch);
            }
        }

        return batches;
    }

    [Fact]
    public async Task BatchAsync_MaxLines_SplitsAndSetsResumePoint()
    {
        var batches = await Batch(new LineBatcher(2, 1 << 20), Line(1, "a"), Line(2, "b"), Line(3, "c")).Within();

        Assert.Equal([2, 1], batches.Select(b => b.Lines.Count));
        Assert.Equal(new FilePosition { Offset = 20, LineNumber = 3 }, batches[0].Next);
        Assert.Equal(new FilePosition { Offset = 30, LineNumber = 4 }, batches[1].Next);
    }

    [Fact]
    public async Task BatchAsync_MaxBytes_SplitsBeforeMessageGrowsTooLarge()
    {
        var big = new string('x', 1000);

        var batches = await Batch(new LineBatcher(1000, 1500), Line(1, big), Line(2, big), Line(3, big)).Within();

        Assert.Equal([2, 1], batches.Select(b => b.Lines.Count));
    }

    [Fact]
    public async Task BatchAsync_Idle_FlushesPendingLines()
    {
        var batches = await Batch(new LineBatcher(1000, 1 << 20), Line(1, "a"), LineItem.Idle, LineItem.Idle, Line(2, "b")).Within();

        Assert.Equal([1, 1], batches.Select(b => b.Lines.Count));
    }

    [Fact]
    public async Task BatchAsync_Reset_FlushesThenSendsResetBatch()
    {
        var batches = await Batch(new LineBatcher(1000, 1 << 20), Line(1, "a"), LineItem.Reset(LineItemKind.Replaced), Line(1, "new")).Within();

        Assert.Equal(3, batches.Count);
        Assert.Equal(FileReset.Unspecified, batches[0].Reset);
        Assert.Equal(FileReset.Replaced, batches[1].Reset);
        Assert.Empty(batches[1].Lines);
        Assert.Equal(new FilePosition { Offset = 0, LineNumber = 1 }, batches[1].Next);
        Assert.Equal("new", Assert.Single(batches[2].Lines).Text);
    }

    [Fact]
    public async Task BatchAsync_NoLines_NoBatches()
    {
        Assert.Empty(await Batch(new LineBatcher(10, 1 << 20), LineItem.Idle).Within());
    }
}
