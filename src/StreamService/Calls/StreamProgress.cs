using Google.Protobuf;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Rows;

namespace StreamService.Calls;

/// <summary>
/// What a response message tells the gate about a stream's progress, read from the messages the
/// call's writer passes on, so handlers report nothing themselves: how many items it delivers (the
/// items-sent metric), the position a client resumes after it (rows: the batch's resume token;
/// lines: the next file position; job watches: the event's sequence number), and what a request
/// starts from when nothing has been delivered yet.
/// </summary>
internal static class StreamProgress
{
    /// <summary>The gRPC length prefix before every message (compressed flag + 4-byte length).</summary>
    private const int FramePrefixLength = 5;

    public static long ItemsIn(object message) => message switch
    {
        RowsStreamMessage { Batch: { } batch } => batch.RowCount,
        EncodedLineBatch batch => batch.LineCount,
        LineBatch batch => batch.Lines.Count,
        JobEvent => 1,
        CompletionChunk { Delta: not null } => 1,
        _ => 0,
    };

    /// <summary>The position after <paramref name="message"/>, or null when it carries none.</summary>
    public static object? PositionAfter(object message) => message switch
    {
        RowsStreamMessage { Batch: { } batch } => batch.ResumeToken,
        EncodedLineBatch { Next: { } next } => next,
        LineBatch { Next: { } next } => next,
        JobEvent e => e.Sequence,
        _ => null,
    };

    /// <summary>Where a request starts, the resume point until its first message is delivered.</summary>
    public static object? StartOf(object request) => request switch
    {
        StreamRowsRequest { ResumeToken.Length: > 0 } rows => rows.ResumeToken,
        StreamLinesRequest { StartPosition: { } start } => start,
        WatchJobRequest { AfterSequence: > 0 } watch => watch.AfterSequence,
        _ => null,
    };

    /// <summary>Bytes the message takes on the wire, framed, before compression. Row and line
    /// batches are encoded before they are written and know their size; other messages are measured
    /// (cheap for everything else the service writes: no message walks thousands of strings).</summary>
    public static long FramedSize(object message) => FramePrefixLength + message switch
    {
        RowsStreamMessage rows => rows.CalculateSize(),
        EncodedLineBatch lines => lines.Message.Length,
        IMessage protobuf => protobuf.CalculateSize(),
        _ => 0,
    };
}
