using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>What each PostgreSQL type becomes on the wire, and what a caller may do with it. The
/// single place that knows PostgreSQL type OIDs (pg_type.dat of the PostgreSQL sources).</summary>
internal static class ColumnTypeMapping
{
    /// <summary>Maps a catalogue type (domains already resolved to their base type) to a column type.
    /// Arrays whose element type is not supported travel whole, as text.</summary>
    public static (ColumnType Type, bool IsArray) FromCatalog(uint typeOid, uint arrayElementOid)
    {
        if (arrayElementOid != 0)
        {
            var element = FromScalarOid(arrayElementOid);
            return element == ColumnType.Other ? (ColumnType.Other, false) : (element, true);
        }

        return (FromScalarOid(typeOid), false);
    }

    private static ColumnType FromScalarOid(uint oid) => oid switch
    {
        16 => ColumnType.Bool,
        21 => ColumnType.Int16,
        23 => ColumnType.Int32,
        20 => ColumnType.Int64,
        700 => ColumnType.Float32,
        701 => ColumnType.Float64,
        1700 => ColumnType.Numeric,
        25 or 1043 or 1042 or 19 => ColumnType.Text, // text, varchar, char(n), name
        17 => ColumnType.Bytes,
        2950 => ColumnType.Uuid,
        114 or 3802 => ColumnType.Json,
        1184 => ColumnType.Timestamp,
        1114 => ColumnType.LocalTimestamp,
        1082 => ColumnType.Date,
        1083 => ColumnType.Time,
        _ => ColumnType.Other,
    };

    /// <summary>Whether =, !=, &lt;, &lt;=, &gt;, &gt;= and IN apply (and the column can be a key).</summary>
    public static bool IsComparable(DatasetColumn column) =>
        !column.IsArray && column.Type is not (ColumnType.Json or ColumnType.Other or ColumnType.Unspecified);

    /// <summary>Whether LIKE applies.</summary>
    public static bool IsText(DatasetColumn column) => !column.IsArray && column.Type == ColumnType.Text;

    /// <summary>The SQL type a value is read as: numeric travels as text so no digit is lost (a .NET
    /// decimal holds only 28-29), and types without a typed mapping travel in their text form.</summary>
    public static string? ReadCast(DatasetColumn column) => column switch
    {
        { Type: ColumnType.Numeric, IsArray: true } => "text[]",
        { Type: ColumnType.Numeric } => "text",
        { Type: ColumnType.Other } => "text",
        _ => null,
    };

    /// <summary>A readable name of a column's type for error messages.</summary>
    public static string Describe(DatasetColumn column) =>
        column.IsArray ? $"array of {Describe(column.Type)}" : Describe(column.Type);

    public static string Describe(ColumnType type) => type switch
    {
        ColumnType.LocalTimestamp => "timestamp without time zone",
        ColumnType.Other => "other (text form)",
        _ => type.ToString().ToLowerInvariant(),
    };
}
