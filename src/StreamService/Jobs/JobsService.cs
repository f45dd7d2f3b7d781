using Grpc.Core;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>The JobsService gRPC service. Thin: validate -> submit or look up -> stream the job's
/// events from the store. The call's cancellation ends the watch, never the job.</summary>
internal sealed partial class JobsService(
    ImportRequestValidator validator,
    JobRunner runner,
    JobWatcher watcher,
    JobStore store,
    IOptions<JobsOptions> options,
    ILogger<JobsService> logger) : StreamGrpc.V1.JobsService.JobsServiceBase
{
    private const int MaxListLimit = 1000;

    public override async Task StartImport(StartImportRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            var plan = await validator.ValidateAsync(request, cancellationToken);
            var started = await runner.SubmitAsync(plan, cancellationToken);
            await watcher.WatchAsync(Guid.Parse(started.JobId), 0, responseStream, cancellationToken);
        }
        catch (Exception e) when (Map(e, "StartImport", cancellationToken) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task Watch(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            var jobId = ParseJobId(request.JobId);
            if (request.AfterSequence < 0)
            {
                throw JobsException.Invalid("after_sequence must not be negative.");
            }

            _ = await store.GetAsync(jobId, cancellationToken) ?? throw NotFound(request.JobId);
            await watcher.WatchAsync(jobId, request.AfterSequence, responseStream, cancellationToken);
        }
        catch (Exception e) when (Map(e, "Watch", cancellationToken) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task<JobInfo> Cancel(CancelJobRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            var jobId = ParseJobId(request.JobId);
            var job = await store.GetAsync(jobId, cancellationToken) ?? throw NotFound(request.JobId);
            if (job.IsFinal)
            {
                return job.Info;
            }

            await store.RequestCancelAsync(jobId, cancellationToken);
            runner.RequestCancel(jobId); // at once when the job runs here; other owners hear the NOTIFY
            return (await store.GetAsync(jobId, cancellationToken) ?? throw NotFound(request.JobId)).Info;
        }
        catch (Exception e) when (Map(e, "Cancel", cancellationToken) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task<ListJobsResponse> List(ListJobsRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            if (request.Limit is < 0 or > MaxListLimit)
            {
                throw JobsException.Invalid($"limit must be between 0 and {MaxListLimit}.");
            }

            var jobs = await store.ListAsync(request.Limit == 0 ? options.Value.DefaultListLimit : request.Limit, cancellationToken);
            var response = new ListJobsResponse();
            response.Jobs.Add(jobs.Select(j => j.Info));
            return response;
        }
        catch (Exception e) when (Map(e, "List", cancellationToken) is { } rpc)
        {
            throw rpc;
        }
    }

    private static Guid ParseJobId(string jobId) =>
        Guid.TryParse(jobId, out var id) ? id : throw JobsException.Invalid("job_id must be a job id as returned by StartImport (a UUID).");

    private static JobsException NotFound(string jobId) => new(StatusCode.NotFound, $"Job '{jobId}' does not exist.");

    /// <summary>The single error funnel of the service's calls.</summary>
    private RpcException? Map(Exception exception, string method, CancellationToken callCancelled)
    {
        if (callCancelled.IsCancellationRequested && exception is OperationCanceledException or Npgsql.NpgsqlException)
        {
            LogCallCancelled(method);
            return null;
        }

        var rpc = JobsStatusMapper.ToRpcException(exception);
        if (rpc is null)
        {
            return null;
        }

        if (rpc.StatusCode == StatusCode.Internal)
        {
            LogCallFailed(exception, method);
        }
        else
        {
            LogCallRefused(method, rpc.StatusCode, rpc.Status.Detail);
        }

        return rpc;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs {Method}: cancelled by the caller (jobs keep running)")]
    private partial void LogCallCancelled(string method);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Jobs {Method}: {Code} {Reason}")]
    private partial void LogCallRefused(string method, StatusCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs {Method}: failed")]
    private partial void LogCallFailed(Exception exception, string method);
}
