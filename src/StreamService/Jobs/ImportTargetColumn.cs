using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>A column of an import target as the catalogue describes it.</summary>
/// <param name="Name">Column name exactly as in the database.</param>
/// <param name="Type">Value kind (<see cref="ColumnType"/>, shared with row streams).</param>
/// <param name="TypeOid">OID of the (domain-resolved) type; tells json from jsonb.</param>
/// <param name="IsArray">Arrays cannot be imported.</param>
/// <param name="MaxLength">Length limit of varchar(n) / char(n); 0 for none.</param>
/// <param name="NotNull">The database refuses NULL.</param>
/// <param name="HasDefault">The database fills the column when it is not imported.</param>
/// <param name="DatabaseType">The catalogue's name of the type, for messages.</param>
internal sealed record ImportTargetColumn(string Name, ColumnType Type, uint TypeOid, bool IsArray, int MaxLength, bool NotNull, bool HasDefault, string DatabaseType);
