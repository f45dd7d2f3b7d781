namespace StreamService.Llm;

/// <summary>How a completion ended: the last event of every successful backend stream.</summary>
/// <param name="FinishReason">Why generation stopped.</param>
/// <param name="Usage">Token counts, reported by the upstream or counted.</param>
/// <param name="Model">The model that produced the text, as the backend names it.</param>
internal sealed record LlmCompletion(LlmFinishReason FinishReason, LlmUsage Usage, string Model);
