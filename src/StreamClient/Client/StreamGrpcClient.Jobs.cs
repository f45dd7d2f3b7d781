using Grpc.Core;
using StreamGrpc.V1;

namespace StreamClient;

public sealed partial class StreamGrpcClient
{
    /// <summary>
    /// Starts an import job and streams its events until the final one (<c>completed</c> or
    /// <c>failed</c>). After a transient failure the stream re-attaches with Watch from the last
    /// event seen, so every event arrives exactly once; the job itself never depends on the stream.
    /// A failure before the first event (which carries the job id) is not retried, since starting
    /// again could import twice: list the jobs to find out whether it started.
    /// </summary>
    public IAsyncEnumerable<JobEvent> StartImportAsync(StartImportRequest request, StreamCallOptions call = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = new JobsService.JobsServiceClient(_invoker);
        string? jobId = null;
        long last = 0;
        var started = false;
        return ResumableStream.RunAsync<JobEvent, JobEvent>(
            options => jobId is null
                ? !started ? Start(options) : throw new RpcException(new Status(StatusCode.Unavailable,
                    "The import stream failed before the job id arrived; the job may or may not have started (see ListJobs)."))
                : client.Watch(new WatchJobRequest { JobId = jobId, AfterSequence = last }, options),
            jobEvent => [jobEvent],
            jobEvent =>
            {
                jobId ??= jobEvent.JobId;
                last = jobEvent.Sequence;
            },
            CallOptionsFor(call),
            Options.Resume,
            OnResuming,
            call.CancellationToken);

        AsyncServerStreamingCall<JobEvent> Start(CallOptions options)
        {
            started = true;
            return client.StartImport(request, options);
        }
    }

    /// <summary>
    /// Streams the events of a job with a sequence number above <paramref name="afterSequence"/>,
    /// then live ones until the job's final event, resuming after transient failures from the last
    /// event seen.
    /// </summary>
    public IAsyncEnumerable<JobEvent> WatchJobAsync(string jobId, long afterSequence = 0, StreamCallOptions call = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var client = new JobsService.JobsServiceClient(_invoker);
        var request = new WatchJobRequest { JobId = jobId, AfterSequence = afterSequence };
        return ResumableStream.RunAsync<JobEvent, JobEvent>(
            options => client.Watch(request, options),
            jobEvent => [jobEvent],
            jobEvent => request.AfterSequence = jobEvent.Sequence,
            CallOptionsFor(call),
            Options.Resume,
            OnResuming,
            call.CancellationToken);
    }

    /// <summary>Asks a job to stop; returns its state (already final when it had finished).</summary>
    public async Task<JobInfo> CancelJobAsync(string jobId, StreamCallOptions call = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var client = new JobsService.JobsServiceClient(_invoker);
        return await client.CancelAsync(new CancelJobRequest { JobId = jobId }, CallOptionsFor(call)).ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>Recent jobs, newest first (<paramref name="limit"/> 0 = the service default).</summary>
    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(int limit = 0, StreamCallOptions call = default)
    {
        var client = new JobsService.JobsServiceClient(_invoker);
        var response = await client.ListAsync(new ListJobsRequest { Limit = limit }, CallOptionsFor(call)).ResponseAsync.ConfigureAwait(false);
        return response.Jobs;
    }
}
