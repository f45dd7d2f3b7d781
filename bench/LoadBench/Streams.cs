using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.V1;

namespace LoadBench;

/// <summary>One long-lived stream of each kind, read until the measurement stops it.</summary>
internal static class Streams
{
    /// <summary>A slow row reader takes one 100-row batch per second (the server waits on flow control).</summary>
    private static readonly TimeSpan RowsReadPause = TimeSpan.FromSeconds(1);

    public static async Task<StreamOutcome> RunAsync(GrpcChannel channel, StreamKind kind, string jobId, SemaphoreSlim opening, CancellationToken stop)
    {
        TimeSpan? first = null;
        var released = false;
        try
        {
            await opening.WaitAsync(stop);
            var clock = Stopwatch.StartNew();
            using var call = Start(channel, kind, jobId, stop);
            await foreach (var _ in ReadAsync(call, kind, stop))
            {
                if (first is null)
                {
                    first = clock.Elapsed;
                    opening.Release();
                    released = true;
                }
            }

            // The stream ended by itself before the measurement did.
            return new StreamOutcome(kind, first, Held: false, Error: stop.IsCancellationRequested ? null : "ended early");
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            return new StreamOutcome(kind, first, Held: first is not null, Error: first is null ? "no first message" : null);
        }
        catch (RpcException e) when (stop.IsCancellationRequested && first is not null && e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is IOException)
        {
            // Held until the stop: Grpc.Net.Client cancels a call by aborting its HTTP/2 request,
            // and a read in flight at that moment fails with the abort's IOException ("The request
            // was aborted"), which it reports as UNAVAILABLE rather than CANCELLED. The service had
            // not ended the stream (a reset from the server reads "the HTTP/2 server reset the stream").
            return new StreamOutcome(kind, first, Held: true, Error: null, CutByOwnCancel: true);
        }
        catch (RpcException e)
        {
            // When and why, not only the code: a stream cut at the stop (the bench's own cancel
            // surfacing as another status) is not a stream the service failed to hold.
            var when = stop.IsCancellationRequested ? "at the stop" : "before the stop";
            return new StreamOutcome(kind, first, Held: false, Error: $"{e.StatusCode} {when}, after first message: {first is not null} ({e.Status.Detail})");
        }
        finally
        {
            if (!released && first is null)
            {
                try
                {
                    opening.Release();
                }
                catch (SemaphoreFullException)
                {
                }
            }
        }
    }

    private static IDisposable Start(GrpcChannel channel, StreamKind kind, string jobId, CancellationToken stop) => kind switch
    {
        StreamKind.RowsSlowReader => new RowsService.RowsServiceClient(channel).StreamRows(new StreamRowsRequest { Dataset = "events", BatchSize = 100 }, cancellationToken: stop),
        StreamKind.FileFollow => new FileLines.FileLinesClient(channel).StreamLines(new StreamLinesRequest { Root = "load", Path = "follow.log", Follow = true }, cancellationToken: stop),
        StreamKind.JobWatch => new JobsService.JobsServiceClient(channel).Watch(new WatchJobRequest { JobId = jobId }, cancellationToken: stop),
        StreamKind.LlmSlowTokens => new LlmService.LlmServiceClient(channel).StreamCompletion(new CompletionRequest
        {
            Model = "builtin-slow",
            MaxTokens = 30000,
            Messages = { new CompletionMessage { Role = CompletionRole.User, Content = "load" } },
        }, cancellationToken: stop),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static async IAsyncEnumerable<object> ReadAsync(IDisposable call, StreamKind kind, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken stop)
    {
        switch (call)
        {
            case AsyncServerStreamingCall<StreamRowsResponse> rows:
                await foreach (var message in rows.ResponseStream.ReadAllAsync(stop))
                {
                    yield return message;
                    await Task.Delay(RowsReadPause, stop);
                }

                break;
            case AsyncServerStreamingCall<LineBatch> lines:
                await foreach (var message in lines.ResponseStream.ReadAllAsync(stop))
                {
                    yield return message;
                }

                break;
            case AsyncServerStreamingCall<JobEvent> events:
                await foreach (var message in events.ResponseStream.ReadAllAsync(stop))
                {
                    yield return message;
                }

                break;
            case AsyncServerStreamingCall<CompletionChunk> chunks:
                await foreach (var message in chunks.ResponseStream.ReadAllAsync(stop))
                {
                    yield return message;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
