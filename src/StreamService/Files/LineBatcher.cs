using System.Runtime.CompilerServices;
using StreamGrpc.V1;
using StreamService.Rows;

namespace StreamService.Files;

/// <summary>Groups lines into response messages, bounded by line count and text bytes, each encoded
/// as it is filled: a line's text goes straight into the batch buffer in wire form (a lent UTF-8 line
/// is copied as it is; a string is encoded once), so no <see cref="FileLine"/> objects are built and
/// no text is measured twice. A batch is also sent when the source goes idle (follow mode waiting
/// for appends), so followed lines are not held back waiting for a full batch.</summary>
/// <remarks>Every line is consumed before the next item is pulled, as lent lines require; of the
/// last line sent only its number and next offset are kept (the batch's resume point).</remarks>
internal sealed class LineBatcher(int maxLines, int maxBytes)
{
    /// <summary>Protobuf framing of one FileLine besides its text, as counted against
    /// <c>maxBytes</c>: tags, varints, length prefixes (an upper bound).</summary>
    private const int LineOverheadBytes = 32;

    public async IAsyncEnumerable<EncodedLineBatch> BatchAsync(IAsyncEnumerable<LineItem> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ProtoWriter? writer = null;
        var lines = 0;
        var bytes = 0;
        long lastNumber = 0, lastNextOffset = 0;
        // Grows to the largest full batch seen, so a bulk read's later batches rent their buffer once.
        // It starts small because a followed file's batches (sent when the source goes idle) are a line
        // or two: with a 4 KiB start, 3,333 followers woken by each append churned through 4 KiB
        // buffers still in flight at a collection, and LoadBench's 10,000 held streams took 86 MiB
        // more (bench/RESULTS.md, Issue 16, held streams at the end of the session).
        var capacity = 256;
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                switch (item.Kind)
                {
                    case LineItemKind.Line:
                        writer ??= new ProtoWriter(capacity);
                        int textBytes;
                        if (item.IsLent)
                        {
                            var utf8 = item.Utf8;
                            LineBatchEncoder.EncodeLine(item.Number, item.Offset, utf8, item.Truncated, writer);
                            textBytes = utf8.Length;
                        }
                        else
                        {
                            textBytes = LineBatchEncoder.EncodeLine(item.Number, item.Offset, item.Text, item.Truncated, writer);
                        }

                        lines++;
                        bytes += textBytes + LineOverheadBytes;
                        lastNumber = item.Number;
                        lastNextOffset = item.NextOffset;
                        if (lines >= maxLines || bytes >= maxBytes)
                        {
                            capacity = Math.Max(capacity, writer.Length + 64);
                            var full = Complete(writer, lines, lastNumber, lastNextOffset);
                            writer = null;
                            lines = bytes = 0;
                            yield return full;
                        }

                        break;

                    case LineItemKind.Idle:
                        if (writer is not null)
                        {
                            var pending = Complete(writer, lines, lastNumber, lastNextOffset);
                            writer = null;
                            lines = bytes = 0;
                            yield return pending;
                        }

                        break;

                    case LineItemKind.Truncated or LineItemKind.Replaced:
                        if (writer is not null)
                        {
                            var pending = Complete(writer, lines, lastNumber, lastNextOffset);
                            writer = null;
                            lines = bytes = 0;
                            yield return pending;
                        }

                        yield return Reset(item.Kind == LineItemKind.Truncated ? FileReset.Truncated : FileReset.Replaced, item);
                        break;
                }
            }

            if (writer is not null)
            {
                var last = Complete(writer, lines, lastNumber, lastNextOffset);
                writer = null;
                yield return last;
            }
        }
        finally
        {
            // Abandoned mid-batch (cancelled, failed, or the consumer stopped): the buffer goes back.
            writer?.Dispose();
        }
    }

    private static EncodedLineBatch Complete(ProtoWriter writer, int lines, long lastNumber, long lastNextOffset)
    {
        // Resume point: just past the last line sent. Lines dropped by filters after it are read
        // again on resume and dropped again, so nothing is lost and nothing repeats.
        var next = new FilePosition { Offset = lastNextOffset, LineNumber = lastNumber + 1 };
        LineBatchEncoder.EncodeNext(next, writer);
        return EncodedLineBatch.Wrap(writer, lines, next);
    }

    private static EncodedLineBatch Reset(FileReset reset, LineItem item)
    {
        var next = new FilePosition { Offset = item.Offset, LineNumber = item.Number };
        var writer = new ProtoWriter(64);
        LineBatchEncoder.EncodeNext(next, writer);
        LineBatchEncoder.EncodeReset(reset, writer);
        return EncodedLineBatch.Wrap(writer, 0, next);
    }
}
