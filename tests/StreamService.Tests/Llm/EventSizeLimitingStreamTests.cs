using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text;
using StreamService.Llm;
using Xunit;

namespace StreamService.Tests.Llm;

/// <summary><see cref="EventSizeLimitingStream"/> under <see cref="SseParser"/>, composed as the
/// <c>openai</c> backend composes them: the limit must see the same event boundaries as the parser
/// for every line ending and read split, and must stop the parser before it buffers past it.</summary>
public class EventSizeLimitingStreamTests
{
    public static TheoryData<string, int> LineEndsAndReadSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var lineEnd in new[] { "\n", "\r\n", "\r" })
        {
            foreach (var readSize in new[] { 1, 2, 7, int.MaxValue })
            {
                data.Add(lineEnd, readSize);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LineEndsAndReadSizes))]
    public async Task ReadAsync_MultiLineDataCommentsAndDone_SameEventsAsWritten(string lineEnd, int readSize)
    {
        var stream = Events(lineEnd,
            ["data: {\"x\":1}"],
            [": keep-alive"],
            ["data: first", "data: second"],
            ["event: error", "id: 7", "retry: 10", "data:boom"],
            ["data: [DONE]"]);

        var events = await ReadAllAsync(new SourceStream("\uFEFF" + stream, readSize), maxEventSize: 1024);

        Assert.Equal(["{\"x\":1}", "first\nsecond", "boom", "[DONE]"], events);
    }

    [Theory]
    [MemberData(nameof(LineEndsAndReadSizes))]
    public async Task ReadAsync_EveryEventExactlyAtLimit_AllRead(string lineEnd, int readSize)
    {
        // "data: " + 20 + line end, ": c" + line end: 27 + 4 bytes, whatever the line end is.
        var payload = new string('a', 20);
        var stream = Events(lineEnd, ["data: " + payload, ": c"], ["data: " + payload, ": c"], ["data: " + payload, ": c"]);

        var events = await ReadAllAsync(new SourceStream(stream, readSize), maxEventSize: 31);

        Assert.Equal([payload, payload, payload], events);
    }

    [Theory]
    [MemberData(nameof(LineEndsAndReadSizes))]
    public async Task ReadAsync_LaterEventOneByteOverLimit_ThrowsAfterTheEarlierOnes(string lineEnd, int readSize)
    {
        var stream = Events(lineEnd, ["data: " + new string('a', 24)], ["data: " + new string('b', 25)]);
        var events = new List<string>();

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(new SourceStream(stream, readSize), maxEventSize: 31, events));

        Assert.Equal([new string('a', 24)], events);
    }

    [Theory]
    [InlineData("data: x\n")]
    [InlineData("data: x\r\n")]
    [InlineData(": only comments, never a blank line\n")]
    [InlineData("x")]
    public async Task ReadAsync_EventThatNeverEnds_StopsTheParserAtTheLimit(string repeated)
    {
        // An upstream that never sends the blank line (or the line end): without the limit the
        // parser would read all 64 MiB into its buffers. Its line buffer is the largest read it asks for.
        const int limit = 64 * 1024;
        var source = new SourceStream(repeated, readSize: int.MaxValue, total: 1024L * limit);

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(source, limit));

        Assert.InRange(source.BytesRead, limit, 3L * limit);
        Assert.InRange(source.LargestRead, 1, 2 * limit);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsMidEvent_UnfinishedEventDiscarded()
    {
        var events = await ReadAllAsync(new SourceStream("data: a\n\ndata: b\n", readSize: 3), maxEventSize: 1024);

        Assert.Equal(["a"], events);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_InnerReadCancelled()
    {
        var pipe = new Pipe();
        using var cancel = new CancellationTokenSource();
        var parser = SseParser.Create(new EventSizeLimitingStream(pipe.Reader.AsStream(), 1024));
        await using var events = parser.EnumerateAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);

        var next = events.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next).Within();
    }

    private static string Events(string lineEnd, params string[][] events)
        => string.Concat(events.Select(lines => string.Concat(lines.Select(line => line + lineEnd)) + lineEnd));

    private static async Task<List<string>> ReadAllAsync(Stream source, int maxEventSize, List<string>? events = null)
    {
        events ??= [];
        var parser = SseParser.Create(new EventSizeLimitingStream(source, maxEventSize), (_, data) => Encoding.UTF8.GetString(data));
        await using var enumerator = parser.EnumerateAsync().GetAsyncEnumerator();
        while (await enumerator.MoveNextAsync().Within())
        {
            events.Add(enumerator.Current.Data);
        }

        return events;
    }

    /// <summary>Repeats <c>text</c> up to <c>total</c> bytes (once by default), handing out at most
    /// <c>readSize</c> bytes per read as a slow network would, and records what was asked of it.</summary>
    private sealed class SourceStream(string text, int readSize, long? total = null) : Stream
    {
        private readonly byte[] _pattern = Encoding.UTF8.GetBytes(text);
        private readonly long _total = total ?? Encoding.UTF8.GetByteCount(text);

        public long BytesRead { get; private set; }

        public int LargestRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override int Read(Span<byte> buffer)
        {
            LargestRead = Math.Max(LargestRead, buffer.Length);
            var count = (int)Math.Min(Math.Min(buffer.Length, readSize), _total - BytesRead);
            for (var i = 0; i < count; i++)
            {
                buffer[i] = _pattern[(int)((BytesRead + i) % _pattern.Length)];
            }

            BytesRead += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
