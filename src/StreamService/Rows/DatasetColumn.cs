using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>A column of a dataset as the catalogue describes it.</summary>
/// <param name="Name">Column name exactly as in the database.</param>
/// <param name="Type">How values travel in <see cref="Value"/> (the element type for arrays).</param>
/// <param name="IsArray">A one-dimensional array of <paramref name="Type"/>.</param>
/// <param name="DatabaseType">The catalogue's name of the type, e.g. <c>numeric(38,10)</c>.</param>
/// <param name="Nullable">False when the database guarantees NOT NULL.</param>
internal sealed record DatasetColumn(string Name, ColumnType Type, bool IsArray, string DatabaseType, bool Nullable)
{
    public Column ToContract() => new()
    {
        Name = Name,
        Type = Type,
        IsArray = IsArray,
        DatabaseType = DatabaseType,
        Nullable = Nullable,
    };
}
