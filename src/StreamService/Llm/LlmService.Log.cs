using Grpc.Core;

namespace StreamService.Llm;

internal sealed partial class LlmService
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "Completion {RequestId} started on model {Model} (max_tokens {MaxTokens}).")]
    private static partial void LogStarted(ILogger logger, string requestId, string model, int maxTokens);

    [LoggerMessage(EventId = 601, Level = LogLevel.Debug, Message = "Completion {RequestId} on model {Model} finished ({FinishReason}) after {CompletionTokens} tokens; time to first token {TimeToFirstTokenMs} ms.")]
    private static partial void LogCompleted(ILogger logger, string requestId, string model, LlmFinishReason finishReason, int completionTokens, double timeToFirstTokenMs);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Completion {RequestId} on model {Model} was cancelled by the caller after {Deltas} deltas; the backend was stopped.")]
    private static partial void LogCancelled(ILogger logger, string requestId, string model, uint deltas);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Completion {RequestId} on model {Model} failed after {Deltas} deltas with {StatusCode}.")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string requestId, string model, uint deltas, StatusCode statusCode);

    [LoggerMessage(EventId = 604, Level = LogLevel.Information, Message = "Completion {RequestId} on model {Model} stopped after {Deltas} deltas: the server is shutting down.")]
    private static partial void LogShutdown(ILogger logger, string requestId, string model, uint deltas);
}
