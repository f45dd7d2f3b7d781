using Npgsql;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The throwaway PostgreSQL the service under test uses: the cluster of
/// <c>scripts/pg.sh</c> under <c>.data/test-pg</c> (the same one the other test projects use; it keeps
/// running so the next run starts in milliseconds), with the demo table <c>events</c> seeded as
/// run.sh seeds it and an empty import target for the jobs case.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>Rows of <c>events</c>, as run.sh seeds them.</summary>
    public const long EventRows = 1_000_000;

    /// <summary>The import target the peers write to (configured as StreamGrpc:Jobs:Tables:interop_people),
    /// people-shaped like public.people of appsettings.json; recreated empty on every run.</summary>
    public const string ImportTable = "interop_people";

    /// <summary>The import target of the status-page case (StreamGrpc:Jobs:Tables:web_people), people-shaped,
    /// with a row trigger that pauses 2 ms every 200 rows: the import then takes a few seconds, so
    /// the page shows its bar between 0 and 100% (without it 300,000 rows take a fraction of a second).</summary>
    public const string WebImportTable = "web_people";

    private static readonly TimeSpan SqlTimeout = TimeSpan.FromSeconds(60);

    private readonly NpgsqlDataSource _dataSource;

    private TestDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>Npgsql connection string of the test database.</summary>
    public string ConnectionString { get; }

    public static async Task<TestDatabase> StartAsync()
    {
        var started = await Scripts.RunAsync("pg.sh", "start", Path.Combine(RepositoryPaths.Data, "test-pg"));
        var connectionString = started.Last(line => line.Length > 0).Trim();
        await Scripts.RunAsync("pg.sh", "seed", connectionString, "events", EventRows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var database = new TestDatabase(connectionString);
        await database.ExecuteAsync(
            $"drop table if exists public.{ImportTable}; " +
            $"create table public.{ImportTable} (id bigint, name text, email text, age integer, joined date); " +
            $"drop table if exists public.{WebImportTable}; " +
            $"create table public.{WebImportTable} (id bigint, name text, email text, age integer, joined date); " +
            "create or replace function public.web_people_pace() returns trigger language plpgsql as " +
            "$f$ begin if new.id % 200 = 0 then perform pg_sleep(0.002); end if; return new; end $f$; " +
            $"create trigger web_people_pace before insert on public.{WebImportTable} for each row execute function public.web_people_pace()");
        return database;
    }

    /// <summary>The connection string the service gets: the test database under an application
    /// name of its own, so its sessions can be told apart in <c>pg_stat_activity</c>.</summary>
    public string ConnectionStringFor(string applicationName) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString;

    /// <summary>The queries on the <c>events</c> table that sessions named <paramref name="applicationName"/>
    /// are running right now (state <c>active</c>), as "pid: query" strings.</summary>
    public async Task<IReadOnlyList<string>> ActiveEventsQueriesAsync(string applicationName, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "select pid, left(query, 120) from pg_stat_activity " +
            "where application_name = $1 and state = 'active' and pid <> pg_backend_pid() and query ilike '%events%'");
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        var queries = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).WaitAsync(SqlTimeout, cancellationToken);
        while (await reader.ReadAsync(cancellationToken).WaitAsync(SqlTimeout, cancellationToken))
        {
            queries.Add($"{reader.GetInt32(0)}: {reader.GetString(1)}");
        }

        return queries;
    }

    /// <summary>Takes an ACCESS EXCLUSIVE lock on <see cref="WebImportTable"/> in a transaction that
    /// stays open until the returned lock is disposed: an import's COPY into it waits in PostgreSQL.</summary>
    public async Task<TableLock> LockWebImportTableAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).AsTask().WaitAsync(SqlTimeout, cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"lock table public.{WebImportTable} in access exclusive mode", connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).WaitAsync(SqlTimeout, cancellationToken);
            return new TableLock(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>A table lock held by an open transaction; disposing rolls it back (nothing was written).</summary>
    internal sealed class TableLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.RollbackAsync().WaitAsync(SqlTimeout);
            }
            finally
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync().WaitAsync(SqlTimeout);
    }
}
