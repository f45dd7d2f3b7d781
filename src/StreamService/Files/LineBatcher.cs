using System.Runtime.CompilerServices;
using System.Text;
using StreamGrpc.V1;

namespace StreamService.Files;

/// <summary>Groups lines into response messages, bounded by line count and text bytes. A batch is
/// also sent when the source goes idle (follow mode waiting for appends), so followed lines are not
/// held back waiting for a full batch.</summary>
internal sealed class LineBatcher(int maxLines, int maxBytes)
{
    /// <summary>Protobuf framing of one FileLine besides its text: tags, varints, length prefixes.</summary>
    private const int LineOverheadBytes = 32;

    public async IAsyncEnumerable<LineBatch> BatchAsync(IAsyncEnumerable<LineItem> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LineBatch? batch = null;
        var bytes = 0;
        LineItem last = default;

        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            switch (item.Kind)
            {
                case LineItemKind.Line:
                    batch ??= new LineBatch();
                    batch.Lines.Add(new FileLine
                    {
                        LineNumber = item.Number,
                        Offset = item.Offset,
                        Text = item.Text,
                        Truncated = item.Truncated,
                    });
                    bytes += Encoding.UTF8.GetByteCount(item.Text) + LineOverheadBytes;
                    last = item;
                    if (batch.Lines.Count >= maxLines || bytes >= maxBytes)
                    {
                        yield return Complete(batch, last);
                        batch = null;
                        bytes = 0;
                    }

                    break;

                case LineItemKind.Idle:
                    if (batch is not null)
                    {
                        yield return Complete(batch, last);
                        batch = null;
                        bytes = 0;
                    }

                    break;

                case LineItemKind.Truncated or LineItemKind.Replaced:
                    if (batch is not null)
                    {
                        yield return Complete(batch, last);
                        batch = null;
                        bytes = 0;
                    }

                    yield return new LineBatch
                    {
                        Reset = item.Kind == LineItemKind.Truncated ? FileReset.Truncated : FileReset.Replaced,
                        Next = new FilePosition { Offset = item.Offset, LineNumber = item.Number },
                    };
                    break;
            }
        }

        if (batch is not null)
        {
            yield return Complete(batch, last);
        }
    }

    private static LineBatch Complete(LineBatch batch, LineItem last)
    {
        // Resume point: just past the last line sent. Lines dropped by filters after it are read
        // again on resume and dropped again, so nothing is lost and nothing repeats.
        batch.Next = new FilePosition { Offset = last.NextOffset, LineNumber = last.Number + 1 };
        return batch;
    }
}
