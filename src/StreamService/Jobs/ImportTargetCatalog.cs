using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamService.Rows;

namespace StreamService.Jobs;

/// <summary>Resolves an import target name to its configured table and reads the table's columns
/// from the catalogue through one fixed, parameterised query. Only configured tables ever reach the
/// database; caller input is matched against catalogue names, never inserted into SQL.</summary>
internal sealed partial class ImportTargetCatalog(NpgsqlDataSource dataSource, IOptions<JobsOptions> options, ILogger<ImportTargetCatalog> logger)
{
    // Ordinary and partitioned tables only (COPY FROM cannot write views). Domains resolve to their
    // base type; atttypmod - 4 is the length limit of varchar(n) and char(n) (PostgreSQL varchar.c).
    private const string ColumnsQuery = """
        SELECT a.attname, bt.oid, CASE WHEN bt.typcategory = 'A' THEN bt.typelem ELSE 0::oid END,
               a.attnotnull, a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',
               CASE WHEN bt.oid IN (1042, 1043) AND a.atttypmod > 4 THEN a.atttypmod - 4 ELSE 0 END,
               pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> ''
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
        WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    public IEnumerable<string> Names => options.Value.Tables.Keys.Order(StringComparer.Ordinal);

    /// <summary>The target's columns. NOT_FOUND for a name that is not configured; FAILED_PRECONDITION
    /// when the configured table does not exist (details to the log only).</summary>
    public async Task<ImportTarget> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (!options.Value.Tables.TryGetValue(name, out var table))
        {
            var configured = string.Join(", ", Names);
            throw new JobsException(StatusCode.NotFound,
                $"Import target '{Printable(name)}' does not exist. Targets: {(configured.Length == 0 ? "(none configured)" : configured)}.");
        }

        var columns = new List<ImportTargetColumn>();
        await using (var command = dataSource.CreateCommand(ColumnsQuery))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = SqlIdentifier.Qualify(table.Schema, table.Table) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetBoolean(7))
                {
                    continue; // generated columns cannot be written
                }

                var typeOid = reader.GetFieldValue<uint>(1);
                var (type, isArray) = ColumnTypeMapping.FromCatalog(typeOid, reader.GetFieldValue<uint>(2));
                columns.Add(new ImportTargetColumn(reader.GetString(0), type, typeOid, isArray, reader.GetInt32(5),
                    NotNull: reader.GetBoolean(3), HasDefault: reader.GetBoolean(4), DatabaseType: reader.GetString(6)));
            }
        }

        if (columns.Count == 0)
        {
            LogTargetMissing(name, table.Schema, table.Table);
            throw new JobsException(StatusCode.FailedPrecondition, $"Import target '{name}' is misconfigured on the server.");
        }

        return new ImportTarget(name, table.Schema, table.Table, columns);
    }

    internal static string Printable(string value) =>
        value.Length > 64 || value.Any(char.IsControl) ? "(invalid name)" : value;

    [LoggerMessage(Level = LogLevel.Error, Message = "Import target {Target}: table {Schema}.{Table} does not exist, is not a table, or has no columns")]
    private partial void LogTargetMissing(string target, string schema, string table);
}
