namespace StreamService.Llm;

/// <summary>One chat message in backend terms: the role as OpenAI-compatible APIs spell it
/// (<c>system</c>, <c>user</c>, <c>assistant</c>) and the text.</summary>
internal readonly record struct LlmChatMessage(string Role, string Content);
