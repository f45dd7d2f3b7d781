namespace StreamService.Llm;

/// <summary>The kinds of backend a model name can be routed to (configuration value, case-insensitive).</summary>
internal enum LlmBackendKind
{
    /// <summary>The offline generator; not a language model.</summary>
    Builtin,

    /// <summary>Any OpenAI-compatible <c>/chat/completions</c> endpoint with streaming.</summary>
    OpenAi,
}
