using StreamGrpc.V1;

namespace StreamClient;

public sealed partial class StreamGrpcClient
{
    /// <summary>
    /// Streams the rows of a dataset. After a transient failure the stream resumes from the last
    /// batch's resume token, so every row arrives exactly once.
    /// </summary>
    public IAsyncEnumerable<DataRow> StreamRowsAsync(RowsQuery query, StreamCallOptions call = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = new StreamRowsRequest { Dataset = query.Dataset, Limit = query.Limit, BatchSize = query.BatchSize, ResumeToken = query.ResumeToken ?? string.Empty };
        request.Columns.Add(query.Columns);
        request.Filters.Add(query.Filters);

        var client = new RowsService.RowsServiceClient(_channel);
        Schema? schema = null;
        return ResumableStream.RunAsync(
            options => client.StreamRows(request, options),
            response =>
            {
                if (response.KindCase == StreamRowsResponse.KindOneofCase.Schema)
                {
                    // A resumed stream starts with the schema again; keep the first.
                    schema ??= response.Schema;
                    return [];
                }

                var s = schema ?? throw new InvalidOperationException("The service sent rows before the schema.");
                return response.Batch.Rows.Select(row => new DataRow(s, row, response.Batch.ResumeToken));
            },
            response =>
            {
                if (response.KindCase == StreamRowsResponse.KindOneofCase.Batch && response.Batch.ResumeToken.Length > 0)
                {
                    request.ResumeToken = response.Batch.ResumeToken;
                }
            },
            CallOptionsFor(call),
            Options.Resume,
            OnResuming,
            call.CancellationToken);
    }
}
