using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using NpgsqlTypes;
using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>Job state and events in PostgreSQL: the single source of truth that watchers on any
/// replica read. Every event is appended by one statement that also bumps the job's sequence,
/// updates its row, checks the <see cref="JobFence"/> and sends a notification at commit - so
/// sequence numbers are gapless and strictly increasing, and a job taken over cannot be written
/// by its old owner.</summary>
internal sealed class JobStore(NpgsqlDataSource dataSource, JobsSchema schema, JobsInstance instance)
{
    private const string JobColumns = "id, state, target, root, path, format, created_at, finished_at, last_sequence, total_bytes, bytes_read, rows_imported, rows_rejected, message, cancel_requested, owner, started_at";

    // The data-modifying CTEs run as one statement: the UPDATE takes the job's row lock, so appends
    // to one job are serialised and each gets last_sequence + 1. pg_notify is delivered at commit.
    // Times are clock_timestamp(), the wall clock when the statement runs: now() is the start of the
    // transaction, and the completed event is appended in the import's transaction, which began
    // before the COPY. GREATEST with latest_at (evaluated on the locked, current row version) keeps
    // one job's times from going backwards, even when the clock steps back or replicas' appends
    // interleave; a terminal event's time is also the job's finished_at.
    private static readonly string s_appendSql = $"""
        WITH j AS (
            UPDATE {JobsSchema.JobsTable} SET
                last_sequence = last_sequence + 1,
                latest_at = GREATEST(c.now, latest_at),
                heartbeat_at = CASE WHEN owner = @owner AND incarnation = @incarnation THEN c.now ELSE heartbeat_at END,
                state = COALESCE(@state, state),
                started_at = CASE WHEN COALESCE(@state, state) = 2 AND started_at IS NULL THEN GREATEST(c.now, latest_at) ELSE started_at END,
                finished_at = CASE WHEN @state IN (3, 4, 5) THEN GREATEST(c.now, latest_at) ELSE finished_at END,
                bytes_read = COALESCE(@bytes_read, bytes_read),
                rows_imported = COALESCE(@rows_imported, rows_imported),
                rows_rejected = COALESCE(@rows_rejected, rows_rejected),
                message = COALESCE(@message, message)
            FROM (SELECT clock_timestamp() AS now) c
            WHERE id = @id AND state IN (1, 2)
              AND ((@self AND owner = @owner AND incarnation = @incarnation)
                OR (@previous AND owner = @owner AND incarnation <> @incarnation)
                OR (@orphan_seconds > 0 AND heartbeat_at < c.now - make_interval(secs => @orphan_seconds)))
            RETURNING id, last_sequence, latest_at, cancel_requested),
        e AS (
            INSERT INTO {JobsSchema.EventsTable} (job_id, sequence, created_at, payload)
            SELECT id, last_sequence, latest_at, @payload FROM j
            RETURNING job_id, sequence)
        SELECT e.sequence, j.cancel_requested, pg_notify('{JobsSchema.NotificationChannel}', e.job_id::text || ':' || e.sequence)
        FROM e JOIN j ON j.id = e.job_id
        """;

    /// <summary>Inserts a queued job and its <c>started</c> event (sequence 1).</summary>
    public async Task<JobEvent> CreateAsync(Guid id, ImportPlan plan, JobEvent started, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        // One statement: the job never exists without its first event.
        await using var command = dataSource.CreateCommand($"""
            WITH j AS (
                INSERT INTO {JobsSchema.JobsTable} (id, state, owner, incarnation, target, root, path, format, request, total_bytes, last_sequence, created_at, latest_at, heartbeat_at)
                SELECT $1, 1, $2, $10, $3, $4, $5, $6, $7, $8, 1, c.now, c.now, c.now FROM (SELECT clock_timestamp() AS now) c
                RETURNING id, created_at)
            INSERT INTO {JobsSchema.EventsTable} (job_id, sequence, created_at, payload)
            SELECT id, 1, created_at, $9 FROM j
            RETURNING created_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = plan.TargetName });
        command.Parameters.Add(new NpgsqlParameter { Value = plan.Root });
        command.Parameters.Add(new NpgsqlParameter { Value = plan.Path });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)plan.Format });
        command.Parameters.Add(new NpgsqlParameter { Value = plan.Request.ToByteArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = plan.TotalBytes });
        command.Parameters.Add(new NpgsqlParameter { Value = started.ToByteArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Incarnation });
        var createdAt = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        var first = started.Clone();
        first.JobId = id.ToString();
        first.Sequence = 1;
        first.Time = Timestamp.FromDateTime(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc));
        return first;
    }

    /// <summary>Appends an event (its kind only; id, sequence and time come from the database).</summary>
    /// <returns>The sequence and whether a cancel was requested, or null when the fence refused
    /// (the job is finished or belongs to someone else).</returns>
    public async Task<(long Sequence, bool CancelRequested)?> AppendAsync(
        Guid id, JobEvent kind, JobUpdate update, JobFence fence, CancellationToken cancellationToken, NpgsqlConnection? connection = null)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = connection is null ? dataSource.CreateCommand(s_appendSql) : new NpgsqlCommand(s_appendSql, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<string>("owner", instance.Id));
        command.Parameters.Add(new NpgsqlParameter<Guid>("incarnation", instance.Incarnation));
        command.Parameters.Add(new NpgsqlParameter<bool>("self", fence.Self));
        command.Parameters.Add(new NpgsqlParameter<bool>("previous", fence.PreviousIncarnations));
        command.Parameters.Add(new NpgsqlParameter<double>("orphan_seconds", fence.OrphanAfter?.TotalSeconds ?? 0));
        command.Parameters.Add(Nullable("state", NpgsqlDbType.Smallint, update.State is { } s ? (short)s : null));
        command.Parameters.Add(Nullable("bytes_read", NpgsqlDbType.Bigint, update.BytesRead));
        command.Parameters.Add(Nullable("rows_imported", NpgsqlDbType.Bigint, update.RowsImported));
        command.Parameters.Add(Nullable("rows_rejected", NpgsqlDbType.Bigint, update.RowsRejected));
        command.Parameters.Add(Nullable("message", NpgsqlDbType.Text, update.Message));
        command.Parameters.Add(new NpgsqlParameter<byte[]>("payload", kind.ToByteArray()));

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return (reader.GetInt64(0), reader.GetBoolean(1));
    }

    /// <summary>Moves a queued job of this process to running; false when it is no longer queued
    /// here (cancelled or taken over meanwhile).</summary>
    public async Task<bool> MarkRunningAsync(Guid id, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"""
            UPDATE {JobsSchema.JobsTable} SET state = 2, started_at = GREATEST(c.now, latest_at), latest_at = GREATEST(c.now, latest_at), heartbeat_at = c.now
            FROM (SELECT clock_timestamp() AS now) c
            WHERE id = $1 AND owner = $2 AND incarnation = $3 AND state = 1 AND NOT cancel_requested
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Incarnation });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Events with sequence &gt; <paramref name="afterSequence"/>, in order, at most <paramref name="limit"/>.</summary>
    public async Task<List<JobEvent>> ReadEventsAsync(Guid id, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"""
            SELECT sequence, created_at, payload FROM {JobsSchema.EventsTable}
            WHERE job_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = afterSequence });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var events = new List<JobEvent>();
        var jobId = id.ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var jobEvent = JobEvent.Parser.ParseFrom(reader.GetFieldValue<byte[]>(2));
            jobEvent.JobId = jobId;
            jobEvent.Sequence = reader.GetInt64(0);
            jobEvent.Time = Timestamp.FromDateTime(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc));
            events.Add(jobEvent);
        }

        return events;
    }

    public async Task<StoredJob?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"SELECT {JobColumns} FROM {JobsSchema.JobsTable} WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    public async Task<List<StoredJob>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"SELECT {JobColumns} FROM {JobsSchema.JobsTable} ORDER BY created_at DESC, id LIMIT $1");
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var jobs = new List<StoredJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(ReadJob(reader));
        }

        return jobs;
    }

    /// <summary>Flags an unfinished job for cancellation and tells its owner (NOTIFY at commit).</summary>
    public async Task RequestCancelAsync(Guid id, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"""
            WITH j AS (UPDATE {JobsSchema.JobsTable} SET cancel_requested = true WHERE id = $1 AND state IN (1, 2) RETURNING id)
            SELECT pg_notify('{JobsSchema.NotificationChannel}', 'cancel:' || id::text) FROM j
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Confirms that this process still runs these jobs.</summary>
    public async Task HeartbeatAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"UPDATE {JobsSchema.JobsTable} SET heartbeat_at = now() WHERE id = ANY($1) AND owner = $2 AND incarnation = $3 AND state IN (1, 2)");
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Incarnation });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Unfinished jobs left by an earlier process of this instance (restart) or without a
    /// heartbeat for <paramref name="orphanAfter"/> (their instance died).</summary>
    public async Task<List<(Guid Id, string Owner)>> FindAbandonedAsync(TimeSpan orphanAfter, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"""
            SELECT id, owner FROM {JobsSchema.JobsTable}
            WHERE state IN (1, 2) AND ((owner = $1 AND incarnation <> $3) OR heartbeat_at < now() - make_interval(secs => $2))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = orphanAfter.TotalSeconds });
        command.Parameters.Add(new NpgsqlParameter { Value = instance.Incarnation });
        var jobs = new List<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return jobs;
    }

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    private static StoredJob ReadJob(NpgsqlDataReader reader)
    {
        var info = new JobInfo
        {
            JobId = reader.GetGuid(0).ToString(),
            State = (JobState)reader.GetInt16(1),
            Table = reader.GetString(2),
            Root = reader.GetString(3),
            Path = reader.GetString(4),
            Format = (ImportFormat)reader.GetInt16(5),
            CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc)),
            LastSequence = reader.GetInt64(8),
            TotalBytes = reader.GetInt64(9),
            BytesRead = reader.GetInt64(10),
            RowsImported = reader.GetInt64(11),
            RowsRejected = reader.GetInt64(12),
            Message = reader.GetString(13),
            CancelRequested = reader.GetBoolean(14),
        };
        if (!reader.IsDBNull(7))
        {
            info.FinishedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc));
        }

        if (!reader.IsDBNull(16))
        {
            info.StartedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(reader.GetDateTime(16), DateTimeKind.Utc));
        }

        return new StoredJob(info, reader.GetString(15));
    }
}
