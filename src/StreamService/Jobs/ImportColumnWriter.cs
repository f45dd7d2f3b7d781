using Npgsql;
using NpgsqlTypes;

namespace StreamService.Jobs;

/// <summary>Converts one column's text to the column's type, keeps it in a slot of a batch, and
/// writes it to the binary COPY. A record is converted completely (<see cref="Accept"/> for every
/// column, into one slot) before any of it is written, so a rejected record never leaves half a
/// row in the COPY stream: its slot is simply reused by the next record.</summary>
internal abstract class ImportColumnWriter(ImportTargetColumn column)
{
    public ImportTargetColumn Column { get; } = column;

    /// <summary>Whether an empty text is a value (text columns) rather than NULL (all others).</summary>
    public bool AcceptsEmpty => Column.Type == StreamGrpc.V1.ColumnType.Text;

    /// <summary>Takes the record's value into slot <paramref name="row"/>; returns why it is refused, or null.</summary>
    public string? Accept(int row, bool present, ReadOnlyMemory<char> text)
    {
        if (!present || (text.IsEmpty && !AcceptsEmpty))
        {
            return SetNull(row);
        }

        return Parse(row, text);
    }

    /// <summary>Writes the value of slot <paramref name="row"/>. Synchronous on purpose: the
    /// importer only touches the socket when its buffer is full, and an awaited call per value (our
    /// state machine and Npgsql's) was the largest share of the import's CPU in the profile
    /// (bench/RESULTS.md, Imports).</summary>
    public abstract void Write(NpgsqlBinaryImporter importer, int row);

    protected abstract string? Parse(int row, ReadOnlyMemory<char> text);

    protected abstract string? SetNull(int row);

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

/// <summary>A column's slots, one per row of a batch: the value (<typeparamref name="T"/>) or NULL,
/// written with a fixed <see cref="NpgsqlDbType"/> so the importer never has to guess.</summary>
internal abstract class ImportSlotColumnWriter<T>(ImportTargetColumn column, NpgsqlDbType dbType, int capacity)
    : ImportColumnWriter(column)
{
    private readonly T[] _values = new T[capacity];
    private readonly bool[] _nulls = new bool[capacity];

    public sealed override void Write(NpgsqlBinaryImporter importer, int row)
    {
        if (_nulls[row])
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(_values[row], dbType);
        }
    }

    /// <summary>Keeps <paramref name="value"/> in slot <paramref name="row"/>.</summary>
    protected void Set(int row, T value)
    {
        _values[row] = value;
        _nulls[row] = false;
    }

    protected sealed override string? SetNull(int row)
    {
        if (Column.NotNull)
        {
            return "must not be NULL";
        }

        _nulls[row] = true;
        _values[row] = default!;
        return null;
    }
}

/// <summary>A column whose values <paramref name="parser"/> makes from the text.</summary>
internal sealed class ImportColumnWriter<T>(ImportTargetColumn column, NpgsqlDbType dbType, ImportValueParser<T> parser, int capacity)
    : ImportSlotColumnWriter<T>(column, dbType, capacity)
{
    protected override string? Parse(int row, ReadOnlyMemory<char> text)
    {
        if (parser(text.Span, out var value) is { } error)
        {
            return error;
        }

        Set(row, value);
        return null;
    }
}
