using Grpc.Core;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;
using StreamService.Calls;

namespace StreamService.Files;

/// <summary>The FileLines gRPC service: validate -> open the file source -> filter stages -> batches
/// -> write. Each awaited write is the backpressure that paces reading. Derives from
/// <see cref="FilesServiceBase"/>, whose binding's response marshaller writes batches more cheaply
/// than the generated one.</summary>
internal sealed partial class FilesService(
    FileLinesRequestParser parser,
    FileLineSourceFactory sources,
    IOptions<FilesOptions> options,
    ILogger<FilesService> logger) : FilesServiceBase
{
    public override async Task StreamLines(StreamLinesRequest request, IServerStreamWriter<EncodedLineBatch> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            var query = parser.Parse(request);
            await using var source = await sources.OpenAsync(query.Root, query.Path, query.Start, query.Follow, cancellationToken);
            Log.StreamStarted(logger, query.Root, query.Path, query.Follow);

            var batcher = new LineBatcher(options.Value.MaxBatchLines, options.Value.MaxBatchBytes);
            // Reading, batching and encoding run one batch ahead of writing (two cores for one
            // stream); the consumer still paces the file, two batches behind at most.
            // Lines of valid UTF-8 stay bytes from the read buffer to the batch buffer (lent views,
            // see LineItem); stages that look at the text turn them into strings.
            var batches = batcher.BatchAsync(query.Pipeline.Apply(source.ReadAsync(lendUtf8: true))).ReadAheadAsync(capacity: 1, cancellationToken);
            await foreach (var batch in batches)
            {
                using (batch)
                {
                    // Copied into the response before WriteAsync returns, so the buffer can go back.
                    await responseStream.WriteAsync(batch);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.StreamCancelled(logger, request.Root, request.Path);
            throw;
        }
        catch (FileLinesException e)
        {
            // The caller's mistake (bad path, filter, position): worth a line, not a stack trace.
            var rpcException = FilesStatusMapper.ToRpcException(e)!;
            Log.StreamRefused(logger, request.Root, request.Path, rpcException.StatusCode, e.Message);
            throw rpcException;
        }
        catch (Exception e) when (FilesStatusMapper.ToRpcException(e) is { } rpcException)
        {
            Log.StreamFailed(logger, request.Root, request.Path, rpcException.StatusCode, e);
            throw rpcException;
        }
    }
}
