using NpgsqlTypes;

namespace StreamService.Rows;

/// <summary>A typed query parameter. <paramref name="Cast"/> names the SQL type a text parameter is
/// cast to on the server, for values .NET cannot hold exactly (numeric, infinite dates).</summary>
internal sealed record SqlValue(object Value, NpgsqlDbType DbType, string? Cast = null);
