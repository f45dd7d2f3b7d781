using System.Globalization;
using Npgsql;

namespace StreamService.Jobs;

/// <summary>The one LISTEN connection of this instance: receives the notifications every replica
/// sends when it appends an event or a cancel is requested, and fans them out in process - a wake-up
/// for each watcher of the job, a cancel for a job this instance runs. Watchers never hold a
/// database connection while they wait. After a reconnect every watcher is woken, since
/// notifications sent meanwhile are lost (the database stays the source of truth).</summary>
internal sealed partial class JobNotifications(NpgsqlDataSource dataSource, ILogger<JobNotifications> logger) : BackgroundService
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(10);

    private readonly Dictionary<Guid, List<JobSubscription>> _subscriptions = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called with the job id of each cancel request.</summary>
    public event Action<Guid>? CancelRequested;

    /// <summary>Completes once the first LISTEN is in place.</summary>
    public Task Listening => _listening.Task;

    public JobSubscription Subscribe(Guid jobId)
    {
        var subscription = new JobSubscription(jobId, Unsubscribe);
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(jobId, out var list))
            {
                _subscriptions[jobId] = list = [];
            }

            list.Add(subscription);
        }

        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {JobsSchema.NotificationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                LogListening();
                backoff = TimeSpan.FromMilliseconds(200);
                _listening.TrySetResult();
                WakeAll();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or IOException)
            {
                LogListenFailed(e, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs args)
    {
        var payload = args.Payload.AsSpan();
        if (payload.StartsWith("cancel:"))
        {
            if (Guid.TryParse(payload["cancel:".Length..], out var cancelled))
            {
                CancelRequested?.Invoke(cancelled);
            }

            return;
        }

        var colon = payload.IndexOf(':');
        if (colon > 0 && Guid.TryParse(payload[..colon], out var jobId)
            && long.TryParse(payload[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            Wake(jobId);
        }
    }

    private void Wake(Guid jobId)
    {
        lock (_subscriptions)
        {
            if (_subscriptions.TryGetValue(jobId, out var list))
            {
                foreach (var subscription in list)
                {
                    subscription.Signal();
                }
            }
        }
    }

    private void WakeAll()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions.Values.SelectMany(l => l))
            {
                subscription.Signal();
            }
        }
    }

    private void Unsubscribe(JobSubscription subscription)
    {
        lock (_subscriptions)
        {
            if (_subscriptions.TryGetValue(subscription.JobId, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                _subscriptions.Remove(subscription.JobId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listening for job notifications")]
    private partial void LogListening();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job notification listener lost the database; reconnecting in {Seconds} s (watchers poll meanwhile)")]
    private partial void LogListenFailed(Exception exception, double seconds);
}
