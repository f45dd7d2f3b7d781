using System.Runtime.CompilerServices;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Groups rows into <see cref="RowBatch"/> messages of at most <c>batchSize</c> rows, cut
/// early at <c>maxBatchBytes</c> so wide rows never make a message too big. Holds one batch at a
/// time: the next batch is only read once the consumer asks for it.</summary>
internal static class RowBatcher
{
    /// <param name="rows">The row source.</param>
    /// <param name="batchSize">Most rows per batch.</param>
    /// <param name="maxBatchBytes">Batch size budget in serialised bytes.</param>
    /// <param name="resumeToken">Makes the token of a batch from its last row and the count of rows
    /// delivered once the batch is delivered.</param>
    /// <param name="delivered">Rows delivered before this stream (from the resume token).</param>
    public static async IAsyncEnumerable<RowBatch> BatchAsync(
        IAsyncEnumerable<SourceRow> rows,
        int batchSize,
        int maxBatchBytes,
        Func<SourceRow, long, string> resumeToken,
        long delivered,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new RowBatch();
        var bytes = 0;
        SourceRow last = default;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Rows.Add(row.Row);
            bytes += row.Row.CalculateSize();
            last = row;
            if (batch.Rows.Count >= batchSize || bytes >= maxBatchBytes)
            {
                delivered += batch.Rows.Count;
                batch.ResumeToken = resumeToken(last, delivered);
                yield return batch;
                batch = new RowBatch();
                bytes = 0;
            }
        }

        if (batch.Rows.Count > 0)
        {
            delivered += batch.Rows.Count;
            batch.ResumeToken = resumeToken(last, delivered);
            yield return batch;
        }
    }
}
