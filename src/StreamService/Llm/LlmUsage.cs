namespace StreamService.Llm;

/// <summary>Token counts of one completion. <see cref="Estimated"/> is true when the upstream did not
/// report usage and the server counted instead.</summary>
internal sealed record LlmUsage(int PromptTokens, int CompletionTokens, bool Estimated)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
