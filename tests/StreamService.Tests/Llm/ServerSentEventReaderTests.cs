using System.Text;
using StreamService.Llm;
using Xunit;

namespace StreamService.Tests.Llm;

public class ServerSentEventReaderTests
{
    [Theory]
    [InlineData("data: a\n\ndata: b\n\n")]
    [InlineData("data: a\r\n\r\ndata: b\r\n\r\n")]
    [InlineData("data: a\r\rdata: b\r\r")]
    [InlineData("\uFEFFdata: a\n\n: keep-alive comment\n\nid: 7\nretry: 10\ndata:b\n\n")]
    public async Task ReadAsync_AnyLineEnding_YieldsEachEventsData(string stream)
    {
        Assert.Equal(["a", "b"], await ReadAllAsync(stream, chunkSize: int.MaxValue));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task ReadAsync_BytesArriveInPieces_SameEvents(int chunkSize)
    {
        var stream = "\uFEFFdata: {\"x\":1}\r\n\r\ndata: first\ndata: second\n\nevent: error\ndata: boom\r\n\r\ndata: [DONE]\n\n";
        Assert.Equal(["{\"x\":1}", "first\nsecond", "boom", "[DONE]"], await ReadAllAsync(stream, chunkSize));
    }

    [Fact]
    public async Task ReadAsync_EventField_IsExposed()
    {
        await using var reader = new ServerSentEventReader(new MemoryStream("event: error\ndata: x\n\ndata: y\n\n"u8.ToArray()), 1024);
        Assert.True(await reader.ReadAsync(CancellationToken.None).Within());
        Assert.Equal("error", reader.EventType);
        Assert.True(await reader.ReadAsync(CancellationToken.None).Within());
        Assert.Null(reader.EventType);
    }

    [Fact]
    public async Task ReadAsync_UnfinishedLastEvent_IsDiscarded()
    {
        Assert.Equal(["a"], await ReadAllAsync("data: a\n\ndata: b\n", chunkSize: 3));
    }

    [Fact]
    public async Task ReadAsync_EventLargerThanLimit_Throws()
    {
        var stream = "data: " + new string('x', 200) + "\n\n";
        await using var reader = new ServerSentEventReader(new MemoryStream(Encoding.UTF8.GetBytes(stream)), 64);
        await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(CancellationToken.None).AsTask()).Within();
    }

    [Fact]
    public async Task ReadAsync_LineWithoutEndLongerThanLimit_Throws()
    {
        var stream = new TrickleStream(Encoding.UTF8.GetBytes("data: " + new string('x', 10_000)), 512);
        await using var reader = new ServerSentEventReader(stream, 1024);
        await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(CancellationToken.None).AsTask()).Within();
    }

    private static async Task<List<string>> ReadAllAsync(string stream, int chunkSize)
    {
        var events = new List<string>();
        await using var reader = new ServerSentEventReader(new TrickleStream(Encoding.UTF8.GetBytes(stream), chunkSize), 1024);
        while (await reader.ReadAsync(CancellationToken.None).Within())
        {
            events.Add(Encoding.UTF8.GetString(reader.Data.Span));
        }

        return events;
    }

    /// <summary>Hands out at most a few bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data, int chunkSize) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, chunkSize)], cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunkSize));
    }
}
