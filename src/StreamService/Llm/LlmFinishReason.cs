namespace StreamService.Llm;

/// <summary>Why a backend stopped producing tokens.</summary>
internal enum LlmFinishReason
{
    Stop,
    Length,
    ContentFilter,
}
