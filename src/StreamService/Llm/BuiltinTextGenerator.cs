namespace StreamService.Llm;

/// <summary>The token sequences of the built-in backend. Pure functions of the request (and its seed),
/// so a test or a demo sees the same tokens every time.</summary>
internal static class BuiltinTextGenerator
{
    private static readonly string[] Words =
    [
        "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
        "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim",
        "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi",
        "aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute", "irure", "in", "reprehenderit",
        "voluptate", "velit", "esse", "cillum", "fugiat", "nulla", "pariatur", "excepteur", "sint",
    ];

    // Precomputed " word" and " Word" forms: a lorem token costs no allocation.
    private static readonly string[] SpacedWords = Array.ConvertAll(Words, w => " " + w);
    private static readonly string[] SpacedCapitalWords = Array.ConvertAll(Words, w => " " + char.ToUpperInvariant(w[0]) + w[1..]);
    private static readonly string[] CapitalWords = Array.ConvertAll(Words, w => char.ToUpperInvariant(w[0]) + w[1..]);

    /// <summary>The tokens to write for a request; may be endless (lorem), the caller stops at max_tokens.</summary>
    public static IEnumerable<string> Tokens(BuiltinTextMode mode, LlmRequest request) => mode switch
    {
        BuiltinTextMode.Echo => BuiltinTokenizer.Split(EchoSource(request.Messages)),
        BuiltinTextMode.Lorem => Lorem(request.Seed ?? Random.Shared.NextInt64()),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    private static string EchoSource(IReadOnlyList<LlmChatMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == "user" && messages[i].Content.Length > 0)
            {
                return messages[i].Content;
            }
        }

        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Content.Length > 0)
            {
                return messages[i].Content;
            }
        }

        return "";
    }

    private static IEnumerable<string> Lorem(long seed)
    {
        // System.Random with a seed uses a fixed, documented-stable algorithm: same seed, same words.
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var first = true;
        while (true)
        {
            var sentenceLength = random.Next(4, 13);
            for (var w = 0; w < sentenceLength; w++)
            {
                var index = random.Next(Words.Length);
                yield return w > 0 ? SpacedWords[index] : first ? CapitalWords[index] : SpacedCapitalWords[index];
                first = false;
            }

            yield return ".";
        }
    }
}
