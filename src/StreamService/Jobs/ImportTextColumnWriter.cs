using NpgsqlTypes;

namespace StreamService.Jobs;

/// <summary>A text (or varchar/char) column: its slots keep the value as memory into the record's
/// own string rather than a string of its own, and Npgsql writes <see cref="ReadOnlyMemory{T}"/> of
/// char as text, so a text value is never copied before it is encoded into the COPY buffer (two
/// strings per row were among the import's allocations in the profile, bench/RESULTS.md, Imports).</summary>
internal sealed class ImportTextColumnWriter(ImportTargetColumn column, int capacity)
    : ImportSlotColumnWriter<ReadOnlyMemory<char>>(column, NpgsqlDbType.Text, capacity)
{
    protected override string? Parse(int row, ReadOnlyMemory<char> text)
    {
        if (ImportColumnWriters.CheckText(text.Span, Column.MaxLength) is { } error)
        {
            return error;
        }

        Set(row, text);
        return null;
    }
}
