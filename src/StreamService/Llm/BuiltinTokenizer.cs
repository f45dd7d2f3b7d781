namespace StreamService.Llm;

/// <summary>The built-in backend's idea of a token: a word or a single punctuation mark, carrying the
/// whitespace before it (as GPT-style tokenizers do), so concatenated tokens give back the text.</summary>
internal static class BuiltinTokenizer
{
    public static IEnumerable<string> Split(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var i = start;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                // Trailing whitespace belongs to no word; keep it so the text round-trips.
                yield return text[start..];
                yield break;
            }

            if (char.IsLetterOrDigit(text[i]))
            {
                while (i < text.Length && char.IsLetterOrDigit(text[i]))
                {
                    i++;
                }
            }
            else
            {
                i++;
            }

            yield return text[start..i];
            start = i;
        }
    }

    public static int Count(string text)
    {
        var count = 0;
        foreach (var _ in Split(text))
        {
            count++;
        }

        return count;
    }
}
