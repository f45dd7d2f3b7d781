using Grpc.Core;
using StreamGrpc.V1;

namespace StreamClient;

public sealed partial class StreamGrpcClient
{
    /// <summary>
    /// Streams a chat completion: deltas as the model produces them, then one summary. A generation
    /// cannot be resumed, so a transient failure is retried only before the first chunk arrives.
    /// </summary>
    public async IAsyncEnumerable<CompletionChunk> StreamCompletionAsync(CompletionRequest request, StreamCallOptions call = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = new LlmService.LlmServiceClient(_invoker);
        var options = CallOptionsFor(call);
        for (var attempt = 1; ; attempt++)
        {
            using var stream = client.StreamCompletion(request, options);
            bool first;
            try
            {
                first = await stream.ResponseStream.MoveNext(call.CancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (TransientFailure.IsTransient(ex) && attempt <= Options.Resume.MaxAttempts && !call.CancellationToken.IsCancellationRequested)
            {
                var delay = Options.Resume.BackoffFor(attempt);
                OnResuming(ex, attempt, delay);
                await Task.Delay(delay, call.CancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!first)
            {
                yield break;
            }

            yield return stream.ResponseStream.Current;
            while (await stream.ResponseStream.MoveNext(call.CancellationToken).ConfigureAwait(false))
            {
                yield return stream.ResponseStream.Current;
            }

            yield break;
        }
    }
}
