using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StreamService.Rows;

/// <summary>Resolves a requested dataset name to its configuration checked against the PostgreSQL
/// catalogue, cached for <see cref="RowsOptions.CatalogCacheDuration"/>. Only configured datasets
/// ever reach the database, and then only through a fixed, parameterised catalogue query.</summary>
internal sealed partial class DatasetCatalog
{
    // Domains are resolved to their base type; arrays report their element type.
    private const string ColumnsQuery = """
        SELECT a.attname, bt.oid, CASE WHEN bt.typcategory = 'A' THEN bt.typelem ELSE 0::oid END,
               a.attnotnull, pg_catalog.format_type(a.atttypid, a.atttypmod)
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
        WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptions<RowsOptions> _options;
    private readonly ILogger<DatasetCatalog> _logger;
    private readonly ConcurrentDictionary<string, (DatasetSchema Schema, long ExpiresAt)> _cache = new(StringComparer.Ordinal);

    public DatasetCatalog(NpgsqlDataSource dataSource, IOptions<RowsOptions> options, ILogger<DatasetCatalog> logger)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = logger;
    }

    /// <summary>Whether <paramref name="name"/> is a configured dataset (no database access).</summary>
    public bool IsConfigured(string name) => _options.Value.Datasets.ContainsKey(name);

    /// <summary>The dataset's schema. Throws <see cref="RowsException"/> NOT_FOUND for an unknown
    /// name, FAILED_PRECONDITION when the database does not match the configuration, and lets
    /// database failures through (the caller maps them to UNAVAILABLE).</summary>
    public async ValueTask<DatasetSchema> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (!_options.Value.Datasets.TryGetValue(name, out var dataset))
        {
            throw new RowsException(StatusCode.NotFound, $"dataset '{RowsMessages.Quote(name)}' does not exist");
        }

        if (_cache.TryGetValue(name, out var cached) && Environment.TickCount64 < cached.ExpiresAt)
        {
            return cached.Schema;
        }

        var schema = await LoadAsync(name, dataset, cancellationToken).ConfigureAwait(false);
        _cache[name] = (schema, Environment.TickCount64 + (long)_options.Value.CatalogCacheDuration.TotalMilliseconds);
        return schema;
    }

    private async Task<DatasetSchema> LoadAsync(string name, RowsDatasetOptions dataset, CancellationToken cancellationToken)
    {
        var tableColumns = new List<DatasetColumn>();
        await using (var command = _dataSource.CreateCommand(ColumnsQuery))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = SqlIdentifier.Qualify(dataset.Schema, dataset.Table) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var (type, isArray) = ColumnTypeMapping.FromCatalog(reader.GetFieldValue<uint>(1), reader.GetFieldValue<uint>(2));
                tableColumns.Add(new DatasetColumn(reader.GetString(0), type, isArray, reader.GetString(4), Nullable: !reader.GetBoolean(3)));
            }
        }

        if (tableColumns.Count == 0)
        {
            LogDatasetMissing(name, dataset.Schema, dataset.Table);
            throw Unusable(name);
        }

        var byName = tableColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var columns = new List<DatasetColumn>();
        foreach (var columnName in dataset.Columns.Count > 0 ? dataset.Columns : tableColumns.Select(c => c.Name))
        {
            if (!byName.TryGetValue(columnName, out var column))
            {
                LogColumnMissing(name, columnName);
                throw Unusable(name);
            }

            columns.Add(column);
        }

        var keyColumns = new List<DatasetColumn>();
        foreach (var columnName in dataset.KeyColumns)
        {
            if (!byName.TryGetValue(columnName, out var column) || !ColumnTypeMapping.IsComparable(column))
            {
                LogKeyColumnUnusable(name, columnName);
                throw Unusable(name);
            }

            keyColumns.Add(column);
        }

        LogCatalogLoaded(name, columns.Count);
        return new DatasetSchema(name, dataset.Schema, dataset.Table, columns, keyColumns);
    }

    // The details (which table or column) go to the log for the operator, not to the caller.
    private static RowsException Unusable(string name) =>
        new(StatusCode.FailedPrecondition, $"dataset '{name}' is misconfigured on the server");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dataset {Dataset}: {ColumnCount} columns read from the catalogue")]
    private partial void LogCatalogLoaded(string dataset, int columnCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dataset {Dataset}: table or view {Schema}.{Table} does not exist or has no columns")]
    private partial void LogDatasetMissing(string dataset, string schema, string table);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dataset {Dataset}: configured column {Column} does not exist")]
    private partial void LogColumnMissing(string dataset, string column);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dataset {Dataset}: key column {Column} does not exist or cannot be ordered (json, arrays and other types cannot)")]
    private partial void LogKeyColumnUnusable(string dataset, string column);
}
