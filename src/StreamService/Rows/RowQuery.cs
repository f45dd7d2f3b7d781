namespace StreamService.Rows;

/// <summary>A validated request, ready to become SQL.</summary>
/// <param name="Dataset">The dataset checked against the catalogue.</param>
/// <param name="Columns">Returned columns, in order.</param>
/// <param name="Filters">Conditions combined with AND.</param>
/// <param name="After">Key values of the last delivered row; empty to start at the first row.</param>
/// <param name="Limit">Rows still to deliver; null for no limit.</param>
internal sealed record RowQuery(
    DatasetSchema Dataset,
    IReadOnlyList<DatasetColumn> Columns,
    IReadOnlyList<RowFilter> Filters,
    IReadOnlyList<SqlValue> After,
    long? Limit);
