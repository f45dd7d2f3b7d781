using StreamGrpc.V1;

namespace StreamClient;

public sealed partial class StreamGrpcClient
{
    /// <summary>
    /// Streams the rows of a dataset, each decoded from the wire straight into its CLR values (see
    /// <see cref="DataRow"/>). After a transient failure the stream resumes from the last batch's
    /// resume token, so every row arrives exactly once.
    /// </summary>
    public IAsyncEnumerable<DataRow> StreamRowsAsync(RowsQuery query, StreamCallOptions call = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = new StreamRowsRequest { Dataset = query.Dataset, Limit = query.Limit, BatchSize = query.BatchSize, ResumeToken = query.ResumeToken ?? string.Empty };
        request.Columns.Add(query.Columns);
        request.Filters.Add(query.Filters);

        return ResumableStream.RunAsync(
            // Every call (a resumed one too) starts with its schema, which its decoder reads first.
            options => _invoker.AsyncServerStreamingCall(new RowsWireDecoder().Method, null, options, request),
            static response => response.Rows,
            response =>
            {
                if (response.ResumeToken.Length > 0)
                {
                    request.ResumeToken = response.ResumeToken;
                }
            },
            CallOptionsFor(call),
            Options.Resume,
            OnResuming,
            call.CancellationToken);
    }
}
