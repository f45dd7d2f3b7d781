using Google.Protobuf.WellKnownTypes;
using StreamGrpc.V1;

namespace StreamService.Llm;

/// <summary>Builds the response messages of the contract from backend events.</summary>
internal static class CompletionChunks
{
    public static CompletionChunk Delta(uint index, string text, TimeSpan elapsed) => new()
    {
        Delta = new CompletionDelta { Index = index, Text = text, Elapsed = Duration.FromTimeSpan(elapsed) },
    };

    public static CompletionChunk Summary(CompletionFinishReason finishReason, LlmUsage usage, string model, string requestId, in CompletionClock clock)
    {
        var summary = new CompletionSummary
        {
            FinishReason = finishReason,
            Usage = new CompletionUsage
            {
                PromptTokens = (uint)Math.Max(0, usage.PromptTokens),
                CompletionTokens = (uint)Math.Max(0, usage.CompletionTokens),
                TotalTokens = (uint)Math.Max(0, usage.TotalTokens),
                Estimated = usage.Estimated,
            },
            TokensPerSecond = clock.TokensPerSecond(usage.CompletionTokens),
            TotalDuration = Duration.FromTimeSpan(clock.Elapsed),
            Model = model,
            RequestId = requestId,
        };

        if (clock.TimeToFirstToken is { } ttft)
        {
            summary.TimeToFirstToken = Duration.FromTimeSpan(ttft);
        }

        return new CompletionChunk { Summary = summary };
    }

    public static CompletionFinishReason FinishReason(LlmFinishReason reason) => reason switch
    {
        LlmFinishReason.Stop => CompletionFinishReason.Stop,
        LlmFinishReason.Length => CompletionFinishReason.Length,
        LlmFinishReason.ContentFilter => CompletionFinishReason.ContentFilter,
        _ => CompletionFinishReason.Unspecified,
    };
}
