namespace StreamService.Jobs;

/// <summary>CSV records: each mapping takes a field by position. With a header, every record must
/// have as many fields as the header; without, at least as many as the highest mapped position.</summary>
internal sealed class CsvImportRecordReader(CsvDialect dialect, int[] fieldIndexes, int expectedFieldCount) : ImportRecordReader
{
    private readonly CsvRecordParser _parser = new(dialect);
    private readonly int _minimumFieldCount = fieldIndexes.Length == 0 ? 0 : fieldIndexes.Max() + 1;

    public override string? Parse(string record)
    {
        if (_parser.Parse(record) is { } error)
        {
            return error;
        }

        if (expectedFieldCount > 0 && _parser.Count != expectedFieldCount)
        {
            return $"the record has {_parser.Count} fields, the header {expectedFieldCount}";
        }

        return _parser.Count < _minimumFieldCount ? $"the record has {_parser.Count} fields, the mapping needs {_minimumFieldCount}" : null;
    }

    public override bool TryGet(int binding, out ReadOnlyMemory<char> text)
    {
        var index = fieldIndexes[binding];
        text = _parser[index];
        return _parser.IsQuoted(index) || !text.Span.SequenceEqual(dialect.NullText);
    }
}
