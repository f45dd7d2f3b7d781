using Microsoft.Extensions.Options;
using Npgsql;

namespace StreamService.Jobs;

/// <summary>Creates the tables the jobs feature keeps its state in. Migrations are numbered, applied
/// in order, each at most once (recorded in <c>streamgrpc_jobs_migrations</c>), in one transaction
/// under an advisory lock so replicas starting together do not race. Runs on first use and at
/// start-up; a database that is down makes the first use fail (UNAVAILABLE) and a later one retry.</summary>
internal sealed partial class JobsSchema(NpgsqlDataSource dataSource, IOptions<JobsOptions> options, ILogger<JobsSchema> logger)
{
    public const string JobsTable = "streamgrpc_jobs";
    public const string EventsTable = "streamgrpc_job_events";

    /// <summary>The LISTEN/NOTIFY channel for job events and cancel requests.</summary>
    public const string NotificationChannel = "streamgrpc_jobs";

    private static readonly (int Version, string Sql)[] s_migrations =
    [
        (1, $"""
            CREATE TABLE IF NOT EXISTS {JobsTable} (
                id               uuid PRIMARY KEY,
                state            smallint NOT NULL,
                owner            text NOT NULL,
                incarnation      uuid NOT NULL,
                target           text NOT NULL,
                root             text NOT NULL,
                path             text NOT NULL,
                format           smallint NOT NULL,
                request          bytea NOT NULL,
                created_at       timestamptz NOT NULL DEFAULT now(),
                started_at       timestamptz,
                finished_at      timestamptz,
                heartbeat_at     timestamptz NOT NULL DEFAULT now(),
                last_sequence    bigint NOT NULL DEFAULT 0,
                total_bytes      bigint NOT NULL DEFAULT 0,
                bytes_read       bigint NOT NULL DEFAULT 0,
                rows_imported    bigint NOT NULL DEFAULT 0,
                rows_rejected    bigint NOT NULL DEFAULT 0,
                cancel_requested boolean NOT NULL DEFAULT false,
                message          text NOT NULL DEFAULT ''
            );
            CREATE INDEX IF NOT EXISTS {JobsTable}_created_idx ON {JobsTable} (created_at DESC);
            CREATE INDEX IF NOT EXISTS {JobsTable}_active_idx ON {JobsTable} (owner) WHERE state IN (1, 2);
            CREATE TABLE IF NOT EXISTS {EventsTable} (
                job_id     uuid NOT NULL REFERENCES {JobsTable} (id) ON DELETE CASCADE,
                sequence   bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                payload    bytea NOT NULL,
                PRIMARY KEY (job_id, sequence)
            );
            """),

        // The latest time recorded for a job (event, start, finish): new times are never earlier.
        (2, $"ALTER TABLE {JobsTable} ADD COLUMN IF NOT EXISTS latest_at timestamptz"),
    ];

    private const string DemoTableSql = """
        CREATE TABLE IF NOT EXISTS public.people (
            id     bigint,
            name   text,
            email  text,
            age    integer,
            joined date
        )
        """;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    /// <summary>Applies missing migrations once per process (retried after a failure).</summary>
    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_ready)
            {
                await MigrateAsync(cancellationToken);
                _ready = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext('streamgrpc-jobs-migrations'))", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS streamgrpc_jobs_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand("SELECT version FROM streamgrpc_jobs_migrations", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var (version, sql) in s_migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await ExecuteAsync(connection, sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO streamgrpc_jobs_migrations (version) VALUES ($1)", connection);
            record.Parameters.Add(new NpgsqlParameter { Value = version });
            await record.ExecuteNonQueryAsync(cancellationToken);
            LogMigrationApplied(version);
        }

        if (options.Value.CreateDemoTable)
        {
            await ExecuteAsync(connection, DemoTableSql, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs schema migration {Version} applied")]
    private partial void LogMigrationApplied(int version);
}
