namespace StreamService.Rows;

/// <summary>A configured dataset checked against the catalogue: the exposed columns and the key.</summary>
internal sealed class DatasetSchema
{
    private readonly Dictionary<string, DatasetColumn> _columnsByName;

    public DatasetSchema(string name, string schema, string table, IReadOnlyList<DatasetColumn> columns, IReadOnlyList<DatasetColumn> keyColumns)
    {
        Name = name;
        Schema = schema;
        Table = table;
        Columns = columns;
        KeyColumns = keyColumns;
        _columnsByName = columns.Concat(keyColumns).DistinctBy(c => c.Name).ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>Public dataset name.</summary>
    public string Name { get; }

    public string Schema { get; }

    public string Table { get; }

    /// <summary>Columns a caller may request, in default order.</summary>
    public IReadOnlyList<DatasetColumn> Columns { get; }

    /// <summary>Columns ordering the rows; always read, even when not requested, to build resume tokens.</summary>
    public IReadOnlyList<DatasetColumn> KeyColumns { get; }

    /// <summary>Looks up an exposed column (key columns are always exposed) by exact name.</summary>
    public bool TryGetColumn(string name, out DatasetColumn column) => _columnsByName.TryGetValue(name, out column!);
}
