namespace StreamService.Llm;

/// <summary>Token counts for upstreams that report no usage. Completion tokens are the number of
/// content deltas (OpenAI-compatible servers send about one token per delta); prompt tokens are
/// estimated at four characters per token plus a few tokens of per-message framing, the rule of
/// thumb OpenAI documents for English text. Results are flagged as estimated.</summary>
internal static class TokenEstimate
{
    private const int CharactersPerToken = 4;
    private const int TokensPerMessage = 3;

    public static int PromptTokens(IReadOnlyList<LlmChatMessage> messages)
    {
        long tokens = 0;
        foreach (var message in messages)
        {
            tokens += TokensPerMessage + ((message.Content.Length + CharactersPerToken - 1) / CharactersPerToken);
        }

        return (int)Math.Min(tokens, int.MaxValue);
    }
}
