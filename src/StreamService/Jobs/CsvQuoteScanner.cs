namespace StreamService.Jobs;

/// <summary>Tells whether a line ends inside a quoted field, so the record continues on the next
/// line (RFC 4180 section 2, rule 6: quoted fields may contain line breaks). Uses the same rules as
/// <see cref="CsvRecordParser"/>: a quote opens a field only at the field's start, a doubled quote
/// inside quotes is a literal quote.</summary>
internal static class CsvQuoteScanner
{
    /// <param name="text">One physical line.</param>
    /// <param name="inQuotes">Whether the line starts inside a quoted field (a continuation line).</param>
    public static bool EndsInQuotes(ReadOnlySpan<char> text, bool inQuotes, char delimiter, char quote)
    {
        var pos = 0;
        while (true)
        {
            if (!inQuotes)
            {
                if (pos < text.Length && text[pos] == quote)
                {
                    inQuotes = true;
                    pos++;
                    continue;
                }

                var delimiterAt = text[pos..].IndexOf(delimiter);
                if (delimiterAt < 0)
                {
                    return false;
                }

                pos += delimiterAt + 1;
                continue;
            }

            var quoteAt = text[pos..].IndexOf(quote);
            if (quoteAt < 0)
            {
                return true;
            }

            pos += quoteAt;
            if (pos + 1 < text.Length && text[pos + 1] == quote)
            {
                pos += 2; // doubled quote: a literal quote, still inside
                continue;
            }

            // Closing quote: the rest of the field up to the delimiter is the parser's concern.
            inQuotes = false;
            var next = text[(pos + 1)..].IndexOf(delimiter);
            if (next < 0)
            {
                return false;
            }

            pos += next + 2;
        }
    }
}
