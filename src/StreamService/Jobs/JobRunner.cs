using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>Runs the jobs this instance accepted, on its own lifetime (never a call's): a queue
/// bounded by admission, <see cref="JobsOptions.MaxConcurrentJobs"/> workers, heartbeats for its
/// running jobs, and the sweep that marks abandoned jobs failed - those an earlier process of this
/// instance left behind (checked at start) and those whose instance stopped sending heartbeats.</summary>
internal sealed partial class JobRunner : BackgroundService
{
    private readonly JobStore _store;
    private readonly ImportJob _importJob;
    private readonly JobNotifications _notifications;
    private readonly JobsSchema _schema;
    private readonly JobsOptions _options;
    private readonly ILogger<JobRunner> _logger;
    private readonly Channel<JobHandle> _queue = Channel.CreateUnbounded<JobHandle>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ConcurrentDictionary<Guid, JobHandle> _jobs = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _admitted;

    public JobRunner(JobStore store, ImportJob importJob, JobNotifications notifications, JobsSchema schema, IOptions<JobsOptions> options, ILogger<JobRunner> logger)
    {
        _store = store;
        _importJob = importJob;
        _notifications = notifications;
        _schema = schema;
        _options = options.Value;
        _logger = logger;
        _notifications.CancelRequested += RequestCancel;
    }

    /// <summary>Accepts a job: reserves a slot, records the job and its <c>started</c> event, queues it.</summary>
    public async Task<JobEvent> SubmitAsync(ImportPlan plan, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            throw new JobsException(StatusCode.Unavailable, "The service is stopping; start the import on another instance or later.");
        }

        var capacity = _options.MaxConcurrentJobs + _options.MaxQueuedJobs;
        if (Interlocked.Increment(ref _admitted) > capacity)
        {
            Interlocked.Decrement(ref _admitted);
            throw new JobsException(StatusCode.ResourceExhausted, $"This instance already has {capacity} jobs running or queued; try again later.");
        }

        try
        {
            var id = Guid.CreateVersion7();
            var started = new JobEvent
            {
                Started = new JobStarted
                {
                    Table = plan.TargetName,
                    Root = plan.Root,
                    Path = plan.Path,
                    Format = plan.Format,
                    TotalBytes = plan.TotalBytes,
                    MaxRejects = plan.MaxRejects,
                },
            };
            var first = await _store.CreateAsync(id, plan, started, cancellationToken);
            var handle = new JobHandle(id, plan, _stopping.Token);
            _jobs[id] = handle;
            _queue.Writer.TryWrite(handle);
            LogAccepted(id);
            return first;
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }
    }

    /// <summary>Cancels a job if this process runs or queues it (cancel notifications arrive at every instance).</summary>
    public void RequestCancel(Guid jobId)
    {
        if (!_jobs.TryGetValue(jobId, out var handle))
        {
            return;
        }

        handle.RequestCancel();
        if (handle.TryClaimQueued())
        {
            _ = FinishQueuedAsync(handle, StatusCode.Cancelled, "The job was cancelled before it started; nothing was imported.", JobStateValue.Cancelled);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var link = stoppingToken.Register(_stopping.Cancel);
        var workers = Enumerable.Range(0, _options.MaxConcurrentJobs).Select(_ => Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None)).ToArray();
        var maintenance = Task.Run(() => MaintainAsync(stoppingToken), CancellationToken.None);
        await Task.WhenAll(workers);
        _queue.Writer.TryComplete();

        // Jobs still queued at shutdown will not run here: record that instead of leaving them queued.
        while (_queue.Reader.TryRead(out var handle))
        {
            if (handle.TryClaimQueued())
            {
                await FinishQueuedAsync(handle, StatusCode.Aborted, "The service stopped before the job started; nothing was imported. Start the import again.", JobStateValue.Failed);
            }
        }

        await maintenance;
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                if (!_queue.Reader.TryRead(out var handle))
                {
                    continue;
                }

                if (!handle.TryStart())
                {
                    continue; // cancelled while queued; FinishQueuedAsync records it
                }

                try
                {
                    await _importJob.RunAsync(handle, stoppingToken);
                }
                finally
                {
                    Release(handle);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutdown: the running job has recorded its own end
        }
    }

    private async Task FinishQueuedAsync(JobHandle handle, StatusCode code, string message, JobStateValue state)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var failed = new JobEvent { Failed = new JobFailed { Code = (int)code, Message = message, State = (JobState)state } };
            await _store.AppendAsync(handle.Id, failed, new JobUpdate(State: state, Message: message), JobFence.Owner, timeout.Token);
            LogFinishedQueued(handle.Id, code);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            LogSweepFailed(e);
        }
        finally
        {
            Release(handle);
        }
    }

    private void Release(JobHandle handle)
    {
        if (_jobs.TryRemove(handle.Id, out _))
        {
            Interlocked.Decrement(ref _admitted);
            handle.Dispose();
        }
    }

    /// <summary>Heartbeats for this process's jobs and the sweep of abandoned ones, every
    /// heartbeat interval; the first round runs at start (retried while the database is down).</summary>
    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            do
            {
                try
                {
                    await _schema.EnsureAsync(stoppingToken);
                    var ids = _jobs.Keys.ToArray();
                    if (ids.Length > 0)
                    {
                        await _store.HeartbeatAsync(ids, stoppingToken);
                    }

                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    LogSweepFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, owner) in await _store.FindAbandonedAsync(_options.OrphanTimeout, cancellationToken))
        {
            var restarted = owner == _options.EffectiveInstanceId;
            var message = restarted
                ? "The service restarted while the job was running; nothing was imported. Start the import again."
                : "The instance running the job stopped responding; nothing was imported. Start the import again.";
            var failed = new JobEvent { Failed = new JobFailed { Code = (int)StatusCode.Aborted, Message = message, State = JobState.Failed } };
            if (await _store.AppendAsync(id, failed, new JobUpdate(State: JobStateValue.Failed, RowsImported: 0, Message: message), JobFence.Abandoned(_options.OrphanTimeout), cancellationToken) is not null)
            {
                LogAbandoned(id, owner, restarted);
            }
        }
    }

    public override void Dispose()
    {
        _notifications.CancelRequested -= RequestCancel;

        // The base cancels the stopping token, whose registration cancels _stopping: dispose it after.
        base.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} accepted")]
    private partial void LogAccepted(Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ended before it started: {Code}")]
    private partial void LogFinishedQueued(Guid jobId, StatusCode code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of instance {Owner} was abandoned (restart: {Restarted}); marked failed")]
    private partial void LogAbandoned(Guid jobId, string owner, bool restarted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job heartbeat or sweep failed; retrying at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
