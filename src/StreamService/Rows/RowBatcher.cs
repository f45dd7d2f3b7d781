using System.Runtime.CompilerServices;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Groups encoded rows into <see cref="RowBatch"/> messages of at most <c>batchSize</c>
/// rows, cut early at <c>maxBatchBytes</c> so wide rows never make a message too big. Holds one
/// batch at a time: the next one is only read once the consumer asks for it.</summary>
/// <remarks>Wire layout (field order as Google.Protobuf writes it):
/// <code>
/// StreamRowsResponse.batch (2, LEN) ─ RowBatch ─┬ rows (1, LEN) Row { values (1, LEN) Value }*
///                                               └ resume_token (2, LEN)
/// </code>
/// The outer tag and length are written into space reserved in front once the size is known.</remarks>
internal static class RowBatcher
{
    private const byte BatchField = (2 << 3) | 2; // StreamRowsResponse.batch
    private const byte RowsField = (1 << 3) | 2; // RowBatch.rows
    private const byte TokenField = (2 << 3) | 2; // RowBatch.resume_token
    private const int Reserved = 6; // tag + a varint length of up to 2^35

    /// <param name="rows">The row source.</param>
    /// <param name="batchSize">Most rows per batch.</param>
    /// <param name="maxBatchBytes">Budget of a batch's encoded rows, in bytes.</param>
    /// <param name="resumeToken">The token of a batch, from its last row and the count of rows
    /// delivered once the batch is delivered.</param>
    /// <param name="delivered">Rows delivered before this stream (from the resume token).</param>
    public static async IAsyncEnumerable<EncodedRowBatch> BatchAsync(
        IAsyncEnumerable<SourceRow> rows,
        int batchSize,
        int maxBatchBytes,
        Func<Value[], long, string> resumeToken,
        long delivered,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ProtoWriter? batch = null;
        var count = 0;

        // The encoded key of the batch's latest row; decoded into values once per batch, for its token.
        using var lastKey = new ProtoWriter(64);
        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (batch is null)
                {
                    batch = new ProtoWriter(Math.Min(maxBatchBytes, 64 * 1024));
                    batch.Reset(Reserved);
                }

                batch.WriteByte(RowsField);
                batch.WriteVarint((ulong)row.RowLength);
                batch.WriteBytes(row.EncodedValues);
                lastKey.Reset();
                row.WriteKey(lastKey);
                count++;
                if (count >= batchSize || batch.Length >= maxBatchBytes)
                {
                    delivered += count;
                    var complete = Complete(batch, count, resumeToken(SourceRow.DecodeKey(lastKey.WrittenSpan), delivered));
                    batch = null;
                    count = 0;
                    yield return complete;
                }
            }

            if (batch is not null)
            {
                delivered += count;
                var complete = Complete(batch, count, resumeToken(SourceRow.DecodeKey(lastKey.WrittenSpan), delivered));
                batch = null;
                yield return complete;
            }
        }
        finally
        {
            // Only a batch still being filled is ours; a yielded one belongs to the consumer.
            batch?.Dispose();
        }
    }

    private static EncodedRowBatch Complete(ProtoWriter batch, int count, string token)
    {
        var tokenBytes = System.Text.Encoding.UTF8.GetByteCount(token);
        batch.WriteByte(TokenField);
        batch.WriteVarint((ulong)tokenBytes);
        batch.WriteUtf8(token, tokenBytes);

        var start = batch.WriteVarintBefore(Reserved, (ulong)(batch.Length - Reserved)) - 1;
        batch.Buffer[start] = BatchField;
        return new EncodedRowBatch(batch, start, count, token);
    }
}
