namespace StreamService.Llm;

/// <summary>Where a model name leads: the backend (with its retries and fallbacks) and the model's
/// max_tokens default.</summary>
internal sealed record LlmRoute(string Model, ILlmBackend Backend, int DefaultMaxTokens);
