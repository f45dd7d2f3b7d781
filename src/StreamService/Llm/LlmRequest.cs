namespace StreamService.Llm;

/// <summary>A validated completion request, independent of the wire contract. Backends receive
/// only this: every limit has been checked and every default applied.</summary>
internal sealed record LlmRequest
{
    /// <summary>The model name the caller asked for (a configured name, not the upstream's).</summary>
    public required string Model { get; init; }

    public required IReadOnlyList<LlmChatMessage> Messages { get; init; }

    /// <summary>Upper bound on generated tokens, always set (the server default when the caller gave none).</summary>
    public required int MaxTokens { get; init; }

    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public long? Seed { get; init; }

    public required string RequestId { get; init; }
}
