using System.Runtime.CompilerServices;
using System.Text;
using StreamService.Files;

namespace StreamService.Jobs;

/// <summary>Turns lines into CSV records: a line that ends inside a quoted field is joined with the
/// following lines (with '\n') until the field closes. A joined record keeps the number and offset
/// of its first line, so rejects point at where the record starts. A record that grows past
/// <c>maxChars</c> is passed on as it is (the parser then rejects it).</summary>
internal static class CsvRecordJoiner
{
    public static async IAsyncEnumerable<LineItem> JoinAsync(IAsyncEnumerable<LineItem> lines, CsvDialect dialect, int maxChars,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LineItem pending = default;
        StringBuilder? record = null;
        await foreach (var line in lines.WithCancellation(cancellationToken))
        {
            if (!line.IsLine)
            {
                yield return line;
                continue;
            }

            if (record is null)
            {
                // Fast path: most lines hold no quote at all.
                if (line.Text.AsSpan().IndexOf(dialect.Quote) < 0
                    || !CsvQuoteScanner.EndsInQuotes(line.Text, inQuotes: false, dialect.Delimiter, dialect.Quote))
                {
                    yield return line;
                    continue;
                }

                pending = line;
                record = new StringBuilder(line.Text, Math.Min(maxChars, line.Text.Length * 2 + 16));
                continue;
            }

            record.Append('\n').Append(line.Text);
            pending = pending with { NextOffset = line.NextOffset, Truncated = pending.Truncated || line.Truncated };
            if (!CsvQuoteScanner.EndsInQuotes(line.Text, inQuotes: true, dialect.Delimiter, dialect.Quote) || record.Length > maxChars)
            {
                yield return pending with { Text = record.ToString() };
                record = null;
            }
        }

        if (record is not null)
        {
            // The file ended inside a quoted field: the parser reports the unclosed quote.
            yield return pending with { Text = record.ToString() };
        }
    }
}
