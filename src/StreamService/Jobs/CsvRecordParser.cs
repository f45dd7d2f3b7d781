using System.Text;

namespace StreamService.Jobs;

/// <summary>Splits one CSV record into fields (RFC 4180 section 2, with the dialect's delimiter and
/// quote). Fields are kept as ranges of the record; only quoted fields holding doubled quotes are
/// copied. Reused record after record: no allocation per unquoted field.</summary>
/// <remarks>Lenient where PostgreSQL's COPY is: a quote inside an unquoted field is a literal
/// character. Strict where data would be lost: text after a closing quote, or a quote never closed,
/// makes the record malformed.</remarks>
internal sealed class CsvRecordParser(CsvDialect dialect)
{
    private readonly List<Field> _fields = new(32);
    private readonly StringBuilder _unescaped = new();
    private string _record = "";

    public int Count => _fields.Count;

    /// <summary>The field's text: a range of the record, or the unescaped copy of a quoted field
    /// with doubled quotes; either stays valid after the next <see cref="Parse"/>.</summary>
    public ReadOnlyMemory<char> this[int index] => _fields[index] is var field && field.Unescaped is { } text
        ? text.AsMemory()
        : _record.AsMemory(field.Start, field.Length);

    /// <summary>Whether the field was quoted (a quoted field is never the NULL marker).</summary>
    public bool IsQuoted(int index) => _fields[index].Quoted;

    /// <summary>Splits <paramref name="record"/>; returns why it is malformed, or null.</summary>
    public string? Parse(string record)
    {
        _record = record;
        _fields.Clear();
        var delimiter = dialect.Delimiter;
        var quote = dialect.Quote;
        var pos = 0;
        while (true)
        {
            if (pos < record.Length && record[pos] == quote)
            {
                var start = pos + 1;
                pos = start;
                string? unescaped = null;
                _unescaped.Clear();
                while (true)
                {
                    var quoteAt = record.AsSpan(pos).IndexOf(quote);
                    if (quoteAt < 0)
                    {
                        return $"field {_fields.Count + 1}: a quoted field is not closed";
                    }

                    quoteAt += pos;
                    if (quoteAt + 1 < record.Length && record[quoteAt + 1] == quote)
                    {
                        _unescaped.Append(record, pos, quoteAt + 1 - pos);
                        pos = quoteAt + 2;
                        continue;
                    }

                    if (_unescaped.Length > 0)
                    {
                        unescaped = _unescaped.Append(record, pos, quoteAt - pos).ToString();
                    }

                    _fields.Add(new Field(start, quoteAt - start, true, unescaped));
                    pos = quoteAt + 1;
                    break;
                }

                if (pos == record.Length)
                {
                    return null;
                }

                if (record[pos] != delimiter)
                {
                    return $"field {_fields.Count}: unexpected text after the closing quote";
                }

                pos++;
                continue;
            }

            var delimiterAt = record.AsSpan(pos).IndexOf(delimiter);
            if (delimiterAt < 0)
            {
                _fields.Add(new Field(pos, record.Length - pos, false, null));
                return null;
            }

            _fields.Add(new Field(pos, delimiterAt, false, null));
            pos += delimiterAt + 1;
        }
    }

    private readonly record struct Field(int Start, int Length, bool Quoted, string? Unescaped);
}
