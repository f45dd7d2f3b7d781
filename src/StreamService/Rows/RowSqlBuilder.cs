using System.Text;
using Npgsql;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Builds the one SELECT of a row stream. Identifiers come only from the catalogue (quoted),
/// every value is a positional parameter, and rows are ordered by the key so a resume continues
/// with <c>(key) &gt; (last key)</c> — keyset pagination, which stays exact and index-backed at
/// any depth, unlike OFFSET.</summary>
/// <example>
/// SELECT "id", "amount"::text FROM "public"."events"
/// WHERE "category" IN ($1, $2) AND "id" &gt; $3 ORDER BY "id" LIMIT $4
/// </example>
internal static class RowSqlBuilder
{
    /// <summary>The command text and parameters. The selected columns are the query's columns
    /// followed by any key columns not requested (read for resume tokens, not sent).</summary>
    public static (string Sql, List<NpgsqlParameter> Parameters, List<DatasetColumn> Selected) Build(RowQuery query)
    {
        var selected = new List<DatasetColumn>(query.Columns);
        foreach (var key in query.Dataset.KeyColumns)
        {
            if (!selected.Any(c => c.Name == key.Name))
            {
                selected.Add(key);
            }
        }

        var parameters = new List<NpgsqlParameter>();
        var sql = new StringBuilder("SELECT ");
        for (var i = 0; i < selected.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            sql.Append(SqlIdentifier.Quote(selected[i].Name));
            if (ColumnTypeMapping.ReadCast(selected[i]) is { } cast)
            {
                sql.Append("::").Append(cast);
            }
        }

        sql.Append(" FROM ").Append(SqlIdentifier.Qualify(query.Dataset.Schema, query.Dataset.Table));

        var conditions = new List<string>();
        foreach (var filter in query.Filters)
        {
            conditions.Add(Condition(filter, parameters));
        }

        if (query.After.Count > 0)
        {
            conditions.Add(KeysetCondition(query.Dataset.KeyColumns, query.After, parameters));
        }

        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        sql.Append(" ORDER BY ").AppendJoin(", ", query.Dataset.KeyColumns.Select(k => SqlIdentifier.Quote(k.Name)));

        if (query.Limit is { } limit)
        {
            sql.Append(" LIMIT ").Append(Parameter(new SqlValue(limit, NpgsqlTypes.NpgsqlDbType.Bigint), parameters));
        }

        return (sql.ToString(), parameters, selected);
    }

    private static string Condition(RowFilter filter, List<NpgsqlParameter> parameters)
    {
        var column = SqlIdentifier.Quote(filter.Column.Name);
        return filter.Operator switch
        {
            FilterOperator.IsNull => $"{column} IS NULL",
            FilterOperator.IsNotNull => $"{column} IS NOT NULL",
            FilterOperator.In => $"{column} IN ({string.Join(", ", filter.Values.Select(v => Parameter(v, parameters)))})",
            _ => $"{column} {Comparison(filter.Operator)} {Parameter(filter.Values[0], parameters)}",
        };
    }

    private static string Comparison(FilterOperator op) => op switch
    {
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "<>",
        FilterOperator.Less => "<",
        FilterOperator.LessOrEqual => "<=",
        FilterOperator.Greater => ">",
        FilterOperator.GreaterOrEqual => ">=",
        FilterOperator.Like => "LIKE",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a comparison"),
    };

    // A row-value comparison (PostgreSQL documentation 9.24.5) orders composite keys lexicographically.
    private static string KeysetCondition(IReadOnlyList<DatasetColumn> keys, IReadOnlyList<SqlValue> after, List<NpgsqlParameter> parameters)
    {
        if (keys.Count == 1)
        {
            return $"{SqlIdentifier.Quote(keys[0].Name)} > {Parameter(after[0], parameters)}";
        }

        return $"({string.Join(", ", keys.Select(k => SqlIdentifier.Quote(k.Name)))}) > ({string.Join(", ", after.Select(v => Parameter(v, parameters)))})";
    }

    private static string Parameter(SqlValue value, List<NpgsqlParameter> parameters)
    {
        parameters.Add(new NpgsqlParameter { Value = value.Value, NpgsqlDbType = value.DbType });
        var placeholder = "$" + parameters.Count;
        return value.Cast is null ? placeholder : $"{placeholder}::{value.Cast}";
    }
}
