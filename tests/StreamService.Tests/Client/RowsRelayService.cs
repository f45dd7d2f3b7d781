using Grpc.Core;
using StreamClient;
using StreamGrpc.V1;

namespace StreamService.Tests.Client;

/// <summary>A small downstream service: implements the rows contract itself by consuming the row
/// stream of StreamService through the typed client (resolved from DI) and re-streaming it to its own
/// caller. The incoming call's deadline and cancellation are propagated to the outgoing call.</summary>
internal sealed class RowsRelayService(StreamGrpcClient upstream, RelayObserver observer) : RowsService.RowsServiceBase
{
    public override async Task StreamRows(StreamRowsRequest request, IServerStreamWriter<StreamRowsResponse> responseStream, ServerCallContext context)
    {
        var query = new RowsQuery(request.Dataset) { Columns = [.. request.Columns], Limit = request.Limit, BatchSize = request.BatchSize };
        var schemaSent = false;
        try
        {
            await foreach (var row in upstream.StreamRowsAsync(query, StreamCallOptions.PropagatedFrom(context)))
            {
                if (!schemaSent)
                {
                    await responseStream.WriteAsync(new StreamRowsResponse { Schema = row.Schema });
                    schemaSent = true;
                }

                var batch = new RowBatch { ResumeToken = row.ResumeToken };
                batch.Rows.Add(row.ToRow());
                await responseStream.WriteAsync(new StreamRowsResponse { Batch = batch });
                observer.RowRelayed();
            }
        }
        catch (Exception e)
        {
            observer.UpstreamEnded(e);
            throw;
        }

        observer.UpstreamEnded(null);
    }
}

/// <summary>What the relay saw of its upstream call, for the test to wait on.</summary>
internal sealed class RelayObserver
{
    private readonly TaskCompletionSource<Exception?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstRow = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the upstream failure (null when it ended normally).</summary>
    public Task<Exception?> Ended => _ended.Task;

    public Task FirstRow => _firstRow.Task;

    public void RowRelayed() => _firstRow.TrySetResult();

    public void UpstreamEnded(Exception? failure) => _ended.TrySetResult(failure);
}
