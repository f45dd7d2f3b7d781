namespace StreamService.Jobs;

/// <summary>A configured import target checked against the catalogue.</summary>
internal sealed record ImportTarget(string Name, string Schema, string Table, IReadOnlyList<ImportTargetColumn> Columns)
{
    public ImportTargetColumn? Find(string column) => Columns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.Ordinal));
}
