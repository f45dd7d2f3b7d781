using Npgsql;
using NpgsqlTypes;

namespace StreamService.Jobs;

/// <summary>A text (or varchar/char) column: its slots keep the value as memory into the record's
/// own string rather than a string of its own, and Npgsql writes <see cref="ReadOnlyMemory{T}"/> of
/// char as text, so a text value is never copied before it is encoded into the COPY buffer (two
/// strings per row were among the import's allocations in the profile, bench/RESULTS.md, Imports).</summary>
internal sealed class ImportTextColumnWriter(ImportTargetColumn column, int capacity) : ImportColumnWriter(column)
{
    private readonly ReadOnlyMemory<char>[] _values = new ReadOnlyMemory<char>[capacity];
    private readonly bool[] _nulls = new bool[capacity];

    public override void Write(NpgsqlBinaryImporter importer, int row)
    {
        if (_nulls[row])
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(_values[row], NpgsqlDbType.Text);
        }
    }

    protected override string? Parse(int row, ReadOnlyMemory<char> text)
    {
        if (ImportColumnWriters.CheckText(text.Span, Column.MaxLength) is { } error)
        {
            return error;
        }

        _values[row] = text;
        _nulls[row] = false;
        return null;
    }

    protected override string? SetNull(int row)
    {
        if (Column.NotNull)
        {
            return "must not be NULL";
        }

        _nulls[row] = true;
        _values[row] = default;
        return null;
    }
}
