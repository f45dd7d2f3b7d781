using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace StreamService.Llm;

/// <summary>Tries a model's backend again, then its fallback models, when it fails transiently
/// (unavailable, rate limited) before its first event. Once a backend has yielded anything, its
/// failures go to the caller: re-running a completion after tokens were sent would repeat them.</summary>
internal sealed partial class FallbackLlmBackend : ILlmBackend
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<Attempt> _attempts;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public FallbackLlmBackend(IReadOnlyList<Attempt> attempts, TimeProvider timeProvider, ILogger logger)
    {
        _attempts = attempts;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>One try: a backend, the model name it serves, and the pause before it.</summary>
    internal sealed record Attempt(string Model, ILlmBackend Backend, TimeSpan Delay);

    public async IAsyncEnumerable<LlmStreamEvent> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TimeSpan? retryAfter = null;
        for (var i = 0; i < _attempts.Count; i++)
        {
            var attempt = _attempts[i];
            if (i > 0 && attempt.Delay > TimeSpan.Zero)
            {
                var delay = retryAfter is { } wait && wait > attempt.Delay ? TimeSpan.FromTicks(Math.Min(wait.Ticks, MaxRetryDelay.Ticks)) : attempt.Delay;
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }

            var events = attempt.Backend.StreamAsync(request with { Model = attempt.Model }, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                var (hasFirst, failure) = await FirstAsync(events, isLast: i == _attempts.Count - 1).ConfigureAwait(false);
                if (failure is not null)
                {
                    LogAttemptFailed(_logger, attempt.Model, request.RequestId, failure.Kind, failure.Message);
                    retryAfter = failure.RetryAfter;
                    continue;
                }

                if (!hasFirst)
                {
                    yield break;
                }

                yield return events.Current;
                while (await events.MoveNextAsync().ConfigureAwait(false))
                {
                    yield return events.Current;
                }

                yield break;
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask<(bool HasFirst, LlmBackendException? Failure)> FirstAsync(IAsyncEnumerator<LlmStreamEvent> events, bool isLast)
    {
        try
        {
            return (await events.MoveNextAsync().ConfigureAwait(false), null);
        }
        catch (LlmBackendException ex) when (ex.IsTransient && !isLast)
        {
            return (false, ex);
        }
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Model {Model} failed before its first token for request {RequestId} ({Kind}: {Reason}); trying the next backend.")]
    private static partial void LogAttemptFailed(ILogger logger, string model, string requestId, LlmFailureKind kind, string reason);
}
