using System.Runtime.CompilerServices;
using Grpc.Core;

namespace StreamClient;

/// <summary>
/// Runs a server-streaming call and, on a transient failure, starts it again from the last resume
/// point the consumer has seen, so the consumer observes every item exactly once. The resume point
/// advances only after every item of a response message has been handed to the consumer. A stream
/// whose <c>isComplete</c> says everything requested was delivered (e.g. a line limit reached) ends
/// on a transient failure instead of resuming, since a resumed call could only deliver extra items.
/// </summary>
internal static class ResumableStream
{
    public static async IAsyncEnumerable<TItem> RunAsync<TResponse, TItem>(
        Func<CallOptions, AsyncServerStreamingCall<TResponse>> startCall,
        Func<TResponse, IEnumerable<TItem>> itemsOf,
        Action<TResponse> advance,
        CallOptions callOptions,
        ResumePolicy policy,
        Action<RpcException, int, TimeSpan>? onRetry,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        Func<bool>? isComplete = null)
    {
        var attempt = 0;
        while (true)
        {
            using var call = startCall(callOptions);
            var stream = call.ResponseStream;
            RpcException? failure = null;
            while (true)
            {
                TResponse response;
                try
                {
                    if (!await stream.MoveNext(cancellationToken).ConfigureAwait(false))
                    {
                        yield break;
                    }

                    response = stream.Current;
                }
                catch (RpcException ex) when (TransientFailure.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
                {
                    failure = ex;
                    break;
                }

                attempt = 0;
                foreach (var item in itemsOf(response))
                {
                    yield return item;
                }

                advance(response);
            }

            if (isComplete?.Invoke() == true)
            {
                yield break;
            }

            attempt++;
            if (attempt > policy.MaxAttempts)
            {
                throw failure!;
            }

            var delay = policy.BackoffFor(attempt);
            if (callOptions.Deadline is { } deadline && DateTime.UtcNow + delay >= deadline)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded while waiting to resume: " + failure!.Status.Detail), failure.Trailers);
            }

            onRetry?.Invoke(failure, attempt, delay);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }
}
