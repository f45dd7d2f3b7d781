using Grpc.Core;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>The gRPC face of row streams: hands the call to <see cref="RowStreamer"/> and maps its
/// failures through <see cref="RowsStatusMapper"/>.</summary>
internal sealed class RowsService : StreamGrpc.V1.RowsService.RowsServiceBase
{
    private readonly RowStreamer _streamer;
    private readonly RowsStatusMapper _statusMapper;

    public RowsService(RowStreamer streamer, RowsStatusMapper statusMapper)
    {
        _streamer = streamer;
        _statusMapper = statusMapper;
    }

    public override async Task StreamRows(StreamRowsRequest request, IServerStreamWriter<StreamRowsResponse> responseStream, ServerCallContext context)
    {
        context.DemandScope("rows", request.Dataset);
        var progress = new RowStreamProgress();
        context.TrackProgress(() => progress.RowsWritten, trailers => ResumeTrailers.AddToken(trailers, progress.LastResumeToken));
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
