using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Rows;

namespace StreamService.Jobs;

/// <summary>Runs one import: file -> CSV/NDJSON records -> filter stages -> typed values -> binary
/// COPY, all inside ONE transaction that commits together with the job's <c>completed</c> event.
/// A failure, a cancel or a take-over rolls everything back, so the target table only ever sees
/// whole imports. Records that cannot be converted are rejected (counted, the first few reported)
/// before any of their values reach the COPY stream.</summary>
internal sealed partial class ImportJob(
    JobStore store,
    FileLineSourceFactory files,
    NpgsqlDataSource dataSource,
    IOptions<JobsOptions> options,
    ILogger<ImportJob> logger)
{
    private static readonly TimeSpan s_finalWriteTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Records per batch between the reading side and the COPY side.</summary>
    private const int BatchRecords = 1024;

    /// <summary>Batches per job: one filling, one queued, one being written.</summary>
    private const int BatchesInFlight = 3;

    public async Task RunAsync(JobHandle job, CancellationToken serviceStopping)
    {
        var cancellationToken = job.Token;
        var progress = new ImportProgress(job.Plan.TotalBytes, options.Value.ProgressInterval);
        var backend = new CopyBackend();
        // A cancel (or the service stopping) cancels the COPY's backend at once: a COPY blocked in the
        // server (a lock, a slow trigger) never sees the token, and disposing the importer would
        // wait for the server to read everything sent. The work is rolled back either way. Run off
        // the cancelling thread, which is the Cancel call's or the notification listener's.
        using var abort = cancellationToken.Register(() => _ = Task.Run(() => CancelBackendAsync(job.Id, backend)));
        try
        {
            if (!await store.MarkRunningAsync(job.Id, cancellationToken))
            {
                LogNotStarted(job.Id);
                return;
            }

            progress.Restart();
            LogStarted(job.Id, job.Plan.TargetName, job.Plan.Root, job.Plan.Path);
            await AppendAsync(job, new JobEvent { Progress = progress.Snapshot() }, Counters(progress), cancellationToken);
            await ImportAsync(job, progress, backend, cancellationToken);
            LogCompleted(job.Id, progress.RowsImported, progress.RowsRejected, progress.Elapsed.TotalSeconds);
        }
        catch (JobOwnershipLostException)
        {
            LogTakenOver(job.Id);
        }
        catch (Exception e)
        {
            await FailAsync(job, progress, e, serviceStopping);
        }
    }

    private async Task ImportAsync(JobHandle job, ImportProgress progress, CopyBackend backend, CancellationToken cancellationToken)
    {
        var plan = job.Plan;
        await using var source = await files.OpenAsync(plan.Root, plan.Path, FileStart.Beginning, follow: false, cancellationToken);
        var position = new ReadPosition();
        var records = Track(source.ReadAsync(cancellationToken), position, cancellationToken);
        if (plan.Format == ImportFormat.Csv)
        {
            records = CsvRecordJoiner.JoinAsync(records, plan.Csv, options.Value.MaxRecordChars, cancellationToken);
            if (plan.Csv.Header)
            {
                records = SkipFirstRecord(records, cancellationToken);
            }
        }

        records = plan.Pipeline.Apply(records);
        var reader = plan.CreateReader();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        backend.Attach(connection.ProcessID);
        try
        {
            await CopyAsync(job, progress, connection, records, reader, position, cancellationToken);
        }
        finally
        {
            // Before the connection goes back to the pool: a backend cancel must never reach its next user.
            await backend.DetachAsync();
        }
    }

    private async Task CopyAsync(JobHandle job, ImportProgress progress, NpgsqlConnection connection, IAsyncEnumerable<LineItem> records,
        ImportRecordReader reader, ReadPosition position, CancellationToken cancellationToken)
    {
        var plan = job.Plan;
        var maxRejectEvents = options.Value.MaxRejectEvents;
        var rejectEvents = 0;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync(CopySql(plan), cancellationToken))
        {
            // Two stages on two threads: the reading side (file, records, parsing, value checks)
            // fills batches while this one writes the previous batch to the COPY, so parsing
            // overlaps the importer's sends (the service was the import's bottleneck, on one
            // thread; see bench/RESULTS.md, Imports). A few batches circulate: memory stays bounded.
            var free = Channel.CreateUnbounded<ImportBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var full = Channel.CreateBounded<ImportBatch>(new BoundedChannelOptions(BatchesInFlight - 1) { SingleReader = true, SingleWriter = true });
            for (var i = 0; i < BatchesInFlight; i++)
            {
                free.Writer.TryWrite(new ImportBatch(plan.CreateWriters(BatchRecords), BatchRecords));
            }

            using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var producer = Task.Run(
                () => ReadBatchesAsync(records, reader, position, free.Reader, full.Writer, files.Options.MaxLineBytes, options.Value.ProgressInterval, reading.Token),
                CancellationToken.None);
            try
            {
                await foreach (var batch in full.Reader.ReadAllAsync(cancellationToken))
                {
                    foreach (var reject in batch.Rejects)
                    {
                        progress.RowsRejected++;
                        if (rejectEvents < maxRejectEvents)
                        {
                            rejectEvents++;
                            var rejected = new ImportRejected { LineNumber = reject.LineNumber, Reason = reject.Reason, RowsRejected = progress.RowsRejected };
                            await AppendAsync(job, new JobEvent { Rejected = rejected }, Counters(progress), cancellationToken);
                        }

                        if (progress.RowsRejected > plan.MaxRejects)
                        {
                            throw new JobsException(StatusCode.InvalidArgument,
                                $"{progress.RowsRejected} records were rejected, more than max_rejects ({plan.MaxRejects}); the last at line {reject.LineNumber}: {reject.Reason}.");
                        }
                    }

                    // Synchronous: the importer buffers and only sends when its buffer is full (then
                    // it blocks this pool thread for that send). A cancel is seen between batches,
                    // and the backend cancel unblocks a send the server stopped reading.
                    cancellationToken.ThrowIfCancellationRequested();
                    var writers = batch.Writers;
                    for (var row = 0; row < batch.Rows; row++)
                    {
                        importer.StartRow();
                        foreach (var writer in writers)
                        {
                            writer.Write(importer, row);
                        }
                    }

                    progress.RowsImported += batch.Rows;
                    progress.BytesRead = batch.BytesRead;
                    free.Writer.TryWrite(batch);
                    if (progress.IsDue())
                    {
                        await AppendAsync(job, new JobEvent { Progress = progress.Snapshot() }, Counters(progress), cancellationToken);
                    }
                }

                // The reading side's own failure (the file, a record too long ...), if any.
                await producer;
            }
            finally
            {
                if (!producer.IsCompleted)
                {
                    await reading.CancelAsync();
                    try
                    {
                        await producer;
                    }
                    catch (Exception)
                    {
                        // This side's exception is the one that counts; the reading side was stopped for it.
                    }
                }
            }

            progress.BytesRead = Math.Max(progress.BytesRead, progress.TotalBytes);
            await AppendAsync(job, new JobEvent { Progress = progress.Snapshot(final: true) }, Counters(progress), cancellationToken);
            await importer.CompleteAsync(cancellationToken);
        }

        // The completed event is written in the import's transaction: rows and "completed" commit
        // together or not at all, and the fence makes a job taken over meanwhile roll back.
        var completed = new JobCompleted
        {
            RowsImported = progress.RowsImported,
            RowsRejected = progress.RowsRejected,
            BytesRead = progress.BytesRead,
            Elapsed = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(progress.Elapsed),
            RowsPerSecond = progress.RowsImported / Math.Max(progress.Elapsed.TotalSeconds, 1e-3),
        };
        var update = Counters(progress) with { State = JobStateValue.Completed };
        if (await store.AppendAsync(job.Id, new JobEvent { Completed = completed }, update, JobFence.Owner, cancellationToken, connection) is null)
        {
            throw new JobOwnershipLostException();
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>The reading side: records -> parsed, checked values in batches, handed over in file
    /// order. A batch goes when it is full, or when it has been filling for a progress interval
    /// (a file whose records trickle through filters still reports progress).</summary>
    private static async Task ReadBatchesAsync(IAsyncEnumerable<LineItem> records, ImportRecordReader reader, ReadPosition position,
        ChannelReader<ImportBatch> free, ChannelWriter<ImportBatch> full, int maxLineBytes, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            var batch = await free.ReadAsync(cancellationToken);
            using var due = new IntervalFlag(interval);
            await foreach (var record in records.WithCancellation(cancellationToken))
            {
                if (!record.IsLine)
                {
                    continue;
                }

                var reason = record.Truncated
                    ? $"the line is longer than {maxLineBytes} bytes"
                    : Convert(reader, batch.Writers, batch.Rows, record.Text);
                if (reason is null)
                {
                    batch.Rows++;
                }
                else
                {
                    batch.Rejects.Add(new ImportReject(record.Number, reason));
                }

                // A timer raises the flag each interval, so a record costs a field read, not a clock
                // read (which showed in the profile), and records that trickle through filters still
                // hand their batch over (and so report progress) within an interval.
                if (batch.IsFull || due.TakeIfRaised())
                {
                    batch.BytesRead = position.BytesRead;
                    await full.WriteAsync(batch, cancellationToken);
                    batch = await free.ReadAsync(cancellationToken);
                    batch.Clear();
                }
            }

            batch.BytesRead = position.BytesRead;
            if (!batch.IsEmpty)
            {
                await full.WriteAsync(batch, cancellationToken);
            }
        }
        finally
        {
            full.TryComplete();
        }
    }

    /// <summary>Raised by a timer once per interval, taken (and lowered) by the reading side.</summary>
    private sealed class IntervalFlag : IDisposable
    {
        private readonly Timer _timer;
        private volatile bool _raised;

        public IntervalFlag(TimeSpan interval) => _timer = new Timer(static state => ((IntervalFlag)state!)._raised = true, this, interval, interval);

        public bool TakeIfRaised()
        {
            if (!_raised)
            {
                return false;
            }

            _raised = false;
            return true;
        }

        public void Dispose() => _timer.Dispose();
    }

    /// <summary>Parses a record and converts every mapped value into slot <paramref name="row"/>;
    /// returns why it is rejected, or null.</summary>
    private static string? Convert(ImportRecordReader reader, ImportColumnWriter[] writers, int row, string text)
    {
        if (reader.Parse(text) is { } malformed)
        {
            return malformed;
        }

        for (var i = 0; i < writers.Length; i++)
        {
            var present = reader.TryGet(i, out var value);
            if (writers[i].Accept(row, present, value) is { } error)
            {
                return $"column {writers[i].Column.Name}: {error}";
            }
        }

        return null;
    }

    private async Task AppendAsync(JobHandle job, JobEvent jobEvent, JobUpdate update, CancellationToken cancellationToken)
    {
        var result = await store.AppendAsync(job.Id, jobEvent, update, JobFence.Owner, cancellationToken);
        if (result is null)
        {
            throw new JobOwnershipLostException();
        }

        if (result.Value.CancelRequested)
        {
            // A cancel whose notification did not reach this instance (listener reconnecting).
            job.RequestCancel();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task FailAsync(JobHandle job, ImportProgress progress, Exception exception, CancellationToken serviceStopping)
    {
        StatusCode code;
        string message;
        var state = JobStateValue.Failed;
        if (job.CancelRequested)
        {
            (code, message, state) = (StatusCode.Cancelled, "The job was cancelled; nothing was imported.", JobStateValue.Cancelled);
            LogCancelled(job.Id, progress.RowsImported);
        }
        else if (serviceStopping.IsCancellationRequested)
        {
            (code, message) = (StatusCode.Aborted, "The service stopped while the job was running; nothing was imported. Start the import again.");
            LogStopped(job.Id);
        }
        else
        {
            (code, message) = JobsStatusMapper.ToFailure(exception);
            message += " Nothing was imported.";
            if (code == StatusCode.Internal)
            {
                LogFailedUnexpectedly(exception, job.Id);
            }
            else
            {
                LogFailed(job.Id, code, message);
            }
        }

        var failed = new JobFailed
        {
            Code = (int)code,
            Message = message,
            State = (JobState)state,
            RowsRejected = progress.RowsRejected,
            Elapsed = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(progress.Elapsed),
        };
        using var timeout = new CancellationTokenSource(s_finalWriteTimeout);
        try
        {
            // Rows imported so far were rolled back: the row counts 0 imported.
            var update = Counters(progress) with { State = state, RowsImported = 0, Message = message };
            if (await store.AppendAsync(job.Id, new JobEvent { Failed = failed }, update, JobFence.Owner, timeout.Token) is null)
            {
                LogTakenOver(job.Id);
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The row stays "running" without heartbeats; the orphan sweep of any instance fails it.
            LogFailureNotRecorded(e, job.Id);
        }
    }

    private async Task CancelBackendAsync(Guid jobId, CopyBackend backend)
    {
        await backend.Gate.WaitAsync();
        try
        {
            if (backend.ProcessId == 0)
            {
                return; // not started yet (the token stops it) or already done
            }

            await using var command = dataSource.CreateCommand("SELECT pg_cancel_backend($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = backend.ProcessId });
            using var timeout = new CancellationTokenSource(s_finalWriteTimeout);
            await command.ExecuteNonQueryAsync(timeout.Token);
            LogBackendCancelled(jobId);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            LogBackendCancelFailed(e, jobId);
        }
        finally
        {
            backend.Gate.Release();
        }
    }

    private static string CopySql(ImportPlan plan)
    {
        var sql = new StringBuilder("COPY ").Append(SqlIdentifier.Qualify(plan.Target.Schema, plan.Target.Table)).Append(" (");
        for (var i = 0; i < plan.Bindings.Count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(SqlIdentifier.Quote(plan.Bindings[i].Column.Name));
        }

        return sql.Append(") FROM STDIN (FORMAT BINARY)").ToString();
    }

    private static JobUpdate Counters(ImportProgress progress) =>
        new(BytesRead: progress.BytesRead, RowsImported: progress.RowsImported, RowsRejected: progress.RowsRejected);

    private static async IAsyncEnumerable<LineItem> Track(IAsyncEnumerable<LineItem> lines, ReadPosition position,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in lines.WithCancellation(cancellationToken))
        {
            if (line.IsLine)
            {
                position.BytesRead = line.NextOffset;
            }

            yield return line;
        }
    }

    private static async IAsyncEnumerable<LineItem> SkipFirstRecord(IAsyncEnumerable<LineItem> records,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var skipped = false;
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            if (!skipped && record.IsLine)
            {
                skipped = true;
                continue;
            }

            yield return record;
        }
    }

    /// <summary>Offset just past the last line the reading side took from the file (before any
    /// filter), written and read on the reading side only; batches carry it to the COPY side.</summary>
    private sealed class ReadPosition
    {
        public long BytesRead { get; set; }
    }

    /// <summary>The database backend running the COPY while the import owns its connection. The
    /// gate orders a backend cancel before the connection's release: once detached, no cancel is
    /// issued, and one in flight has been delivered (PostgreSQL ignores it on an idle backend).</summary>
    private sealed class CopyBackend
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int ProcessId { get; private set; }

        public void Attach(int processId) => ProcessId = processId;

        public async Task DetachAsync()
        {
            await Gate.WaitAsync(CancellationToken.None);
            ProcessId = 0;
            Gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: importing {Root}/{Path} into {Target}")]
    private partial void LogStarted(Guid jobId, string target, string root, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: completed, {Rows} rows imported, {Rejected} rejected, in {Seconds:F1} s")]
    private partial void LogCompleted(Guid jobId, long rows, long rejected, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: not started, it was cancelled or taken over while queued")]
    private partial void LogNotStarted(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: taken over by another instance; stopped and rolled back")]
    private partial void LogTakenOver(Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: cancelled after {Rows} rows; rolled back")]
    private partial void LogCancelled(Guid jobId, long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: stopped by the service shutdown; rolled back")]
    private partial void LogStopped(Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: failed with {Code}: {Reason}")]
    private partial void LogFailed(Guid jobId, StatusCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: failed unexpectedly")]
    private partial void LogFailedUnexpectedly(Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: the failure could not be recorded; the orphan sweep will mark the job failed")]
    private partial void LogFailureNotRecorded(Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: the COPY's database backend was cancelled")]
    private partial void LogBackendCancelled(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: cancelling the COPY's database backend failed")]
    private partial void LogBackendCancelFailed(Exception exception, Guid jobId);
}
