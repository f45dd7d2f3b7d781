using Grpc.Core;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;

namespace StreamService.Llm;

/// <summary>The gRPC front: validate, route to a backend, write each delta as it arrives, end with a
/// summary. Backpressure is the awaited write; cancellation of the call reaches the backend through
/// the token it streams with.</summary>
internal sealed partial class LlmService : StreamGrpc.V1.LlmService.LlmServiceBase
{
    private readonly LlmModelRouter _router;
    private readonly LlmOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<LlmService> _logger;

    public LlmService(LlmModelRouter router, IOptions<LlmOptions> options, IHostApplicationLifetime lifetime, ILogger<LlmService> logger)
    {
        _router = router;
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    public override async Task StreamCompletion(CompletionRequest request, IServerStreamWriter<CompletionChunk> responseStream, ServerCallContext context)
    {
        var clock = CompletionClock.Start();
        if (CompletionRequestValidator.Validate(request, _options) is { } problem)
        {
            throw LlmStatusMapper.InvalidArgument(problem);
        }

        if (!_router.TryGetRoute(request.Model, out var route))
        {
            throw LlmStatusMapper.ModelNotFound(request.Model, _router.Models);
        }

        var requestId = request.RequestId.Length > 0 ? request.RequestId : Guid.NewGuid().ToString("N");
        var llmRequest = CompletionRequestValidator.ToLlmRequest(request, route, requestId);
        LogStarted(_logger, requestId, route.Model, llmRequest.MaxTokens);

        // The call's token, plus server shutdown: a stopping server ends streams with a summary
        // saying CANCELLED rather than cutting them off mid-token.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _lifetime.ApplicationStopping);
        var cancellationToken = stopping.Token;

        uint index = 0;
        var writing = false;
        LlmCompletion? completion = null;
        try
        {
            await foreach (var item in route.Backend.StreamAsync(llmRequest, cancellationToken).ConfigureAwait(false))
            {
                if (item.Text is { } text)
                {
                    var elapsed = clock.Token();
                    writing = true;
                    await responseStream.WriteAsync(CompletionChunks.Delta(index++, text, elapsed)).ConfigureAwait(false);
                    writing = false;
                }
                else
                {
                    completion = item.Completion;
                }
            }
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested || writing)
        {
            // The caller cancelled, its deadline passed or it went away: nothing more can reach it.
            LogCancelled(_logger, requestId, route.Model, index);
            throw;
        }
        catch (OperationCanceledException) when (_lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogShutdown(_logger, requestId, route.Model, index);
            await WriteSummaryAsync(CompletionFinishReason.Cancelled, PartialUsage(llmRequest, index), route.Model).ConfigureAwait(false);
            throw LlmStatusMapper.ServerStopping();
        }
        catch (Exception ex)
        {
            var status = LlmStatusMapper.FromFailure(ex);
            LogFailed(_logger, ex, requestId, route.Model, index, status.StatusCode);
            if (index > 0)
            {
                // Tokens already reached the caller: account for them before the error status.
                await WriteSummaryAsync(CompletionFinishReason.Error, PartialUsage(llmRequest, index), route.Model).ConfigureAwait(false);
            }

            throw status;
        }

        if (completion is null)
        {
            LogFailed(_logger, null, requestId, route.Model, index, StatusCode.Internal);
            throw LlmStatusMapper.FromFailure(new InvalidOperationException("The backend ended without a completion."));
        }

        await WriteSummaryAsync(CompletionChunks.FinishReason(completion.FinishReason), completion.Usage, completion.Model).ConfigureAwait(false);
        LogCompleted(_logger, requestId, completion.Model, completion.FinishReason, completion.Usage.CompletionTokens, clock.TimeToFirstToken?.TotalMilliseconds ?? -1);

        Task WriteSummaryAsync(CompletionFinishReason reason, LlmUsage usage, string model)
            => responseStream.WriteAsync(CompletionChunks.Summary(reason, usage, model, requestId, clock));
    }

    private static LlmUsage PartialUsage(LlmRequest request, uint deltas)
        => new(TokenEstimate.PromptTokens(request.Messages), (int)deltas, Estimated: true);
}
