namespace StreamService.Jobs;

/// <summary>Reads the values of the mapped columns out of one record of the source format.</summary>
internal abstract class ImportRecordReader
{
    /// <summary>Parses one record; returns why it cannot be imported, or null.</summary>
    public abstract string? Parse(string record);

    /// <summary>The text of mapping <paramref name="binding"/> in the record last parsed; false for NULL.
    /// The memory points into strings of that record, not into a reused buffer, so it stays valid
    /// after the next <see cref="Parse"/> (a batch holds text values that way, without a copy).</summary>
    public abstract bool TryGet(int binding, out ReadOnlyMemory<char> text);
}
