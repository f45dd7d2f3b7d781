using Npgsql;
using NpgsqlTypes;

namespace StreamService.Jobs;

/// <summary>Converts one column's text to the column's type and writes it to the binary COPY. A
/// record is converted completely (<see cref="Accept"/> for every column) before any of it is
/// written, so a rejected record never leaves half a row in the COPY stream.</summary>
internal abstract class ImportColumnWriter(ImportTargetColumn column)
{
    public ImportTargetColumn Column { get; } = column;

    /// <summary>Whether an empty text is a value (text columns) rather than NULL (all others).</summary>
    public bool AcceptsEmpty => Column.Type == StreamGrpc.V1.ColumnType.Text;

    /// <summary>Takes the record's value; returns why it is refused, or null.</summary>
    public string? Accept(bool present, ReadOnlySpan<char> text)
    {
        if (!present || (text.IsEmpty && !AcceptsEmpty))
        {
            return SetNull();
        }

        return Parse(text);
    }

    /// <summary>Writes the accepted value. Synchronous on purpose: the importer only touches the
    /// socket when its buffer is full, and an awaited call per value (our state machine and
    /// Npgsql's) was the largest share of the import's CPU in the profile (bench/RESULTS.md, Imports).</summary>
    public abstract void Write(NpgsqlBinaryImporter importer);

    protected abstract string? Parse(ReadOnlySpan<char> text);

    protected abstract string? SetNull();

    /// <summary>The value as quoted in messages: cut, control characters replaced.</summary>
    internal static string Excerpt(ReadOnlySpan<char> text)
    {
        const int Max = 40;
        var cut = text.Length > Max ? text[..Max] : text;
        var chars = cut.ToArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return "'" + new string(chars) + (text.Length > Max ? "...'" : "'");
    }
}

/// <summary>Parses text into a value of <typeparamref name="T"/>; returns why not, or null.</summary>
internal delegate string? ImportValueParser<T>(ReadOnlySpan<char> text, out T value);

/// <summary>A column whose values are <typeparamref name="T"/>, written with a fixed
/// <see cref="NpgsqlDbType"/> so the importer never has to guess.</summary>
internal sealed class ImportColumnWriter<T>(ImportTargetColumn column, NpgsqlDbType dbType, ImportValueParser<T> parser) : ImportColumnWriter(column)
{
    private T _value = default!;
    private bool _isNull;

    public override void Write(NpgsqlBinaryImporter importer)
    {
        if (_isNull)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(_value, dbType);
        }
    }

    protected override string? Parse(ReadOnlySpan<char> text)
    {
        if (parser(text, out _value) is { } error)
        {
            return error;
        }

        _isNull = false;
        return null;
    }

    protected override string? SetNull()
    {
        if (Column.NotNull)
        {
            return "must not be NULL";
        }

        _isNull = true;
        _value = default!;
        return null;
    }
}
