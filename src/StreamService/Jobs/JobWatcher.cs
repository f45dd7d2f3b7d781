using Grpc.Core;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>Streams a job's events after a sequence number: first what is stored (the replay), then
/// live events as notifications announce them, until the job's final event. Every event is read
/// from the database, so all watchers - on any replica, early or late - see the same gapless
/// sequence; a notification only says "read again".</summary>
internal sealed class JobWatcher(JobStore store, JobNotifications notifications, IOptions<JobsOptions> options)
{
    private const int PageSize = 500;

    /// <summary>How long a call waits for the listener at start before relying on polling alone.</summary>
    private static readonly TimeSpan s_listenerWait = TimeSpan.FromSeconds(5);

    public async Task WatchAsync(Guid jobId, long afterSequence, IServerStreamWriter<JobEvent> writer, CancellationToken cancellationToken)
    {
        // Subscribe before the first read: an event appended in between wakes the loop, none is missed.
        using var subscription = notifications.Subscribe(jobId);
        try
        {
            await notifications.Listening.WaitAsync(s_listenerWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The database may be unreachable; the reads below report it, or polling carries on.
        }

        var last = afterSequence;
        while (true)
        {
            var events = await store.ReadEventsAsync(jobId, last, PageSize, cancellationToken);
            foreach (var jobEvent in events)
            {
                await writer.WriteAsync(jobEvent, CancellationToken.None); // the call's own token already aborts the write
                last = jobEvent.Sequence;
                if (jobEvent.IsFinal())
                {
                    return;
                }
            }

            if (events.Count == PageSize)
            {
                continue;
            }

            if (events.Count == 0 && await store.GetAsync(jobId, cancellationToken) is { } job && job.IsFinal && job.Info.LastSequence <= last)
            {
                return; // finished, and the caller has seen everything up to the end
            }

            await subscription.WaitAsync(options.Value.WatchPollInterval, cancellationToken);
        }
    }
}
