using Grpc.Core;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>The gRPC face of row streams (<c>streamgrpc.v1.RowsService</c>): hands the call to
/// <see cref="RowStreamer"/> and maps its failures through <see cref="RowsStatusMapper"/>. Derives
/// from <see cref="RowsServiceBase"/> instead of the generated base class so batches can be written
/// pre-encoded.</summary>
internal sealed class RowsService : RowsServiceBase
{
    private readonly RowStreamer _streamer;
    private readonly RowsStatusMapper _statusMapper;

    public RowsService(RowStreamer streamer, RowsStatusMapper statusMapper)
    {
        _streamer = streamer;
        _statusMapper = statusMapper;
    }

    public override async Task StreamRows(StreamRowsRequest request, IServerStreamWriter<RowsStreamMessage> responseStream, ServerCallContext context)
    {
        var progress = new RowStreamProgress();
        try
        {
            await _streamer.StreamAsync(request, responseStream, progress, context.CancellationToken);
        }
        catch (Exception ex)
        {
            // A plain catch, not a filter: the source's clean-up (cancelling the query) has run by now.
            var status = _statusMapper.ToRpcException(ex, request.Dataset, progress, context.CancellationToken);
            if (status is null)
            {
                throw;
            }

            throw status;
        }
    }
}
