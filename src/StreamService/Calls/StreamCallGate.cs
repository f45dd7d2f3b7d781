using System.Diagnostics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using StreamService.Drain;
using StreamService.Limits;
using StreamService.Observability;
using StreamService.Security;

namespace StreamService.Calls;

/// <summary>
/// The interceptor every gRPC call passes before its handler (registered for all services,
/// reflection and health included). In order: the call is classified from grpc-dotnet's
/// <see cref="GrpcMethodMetadata"/> (a call it cannot classify is refused: the gate fails closed);
/// a call id, logging scope and the call's tags on the server span; refusal of stream calls while draining (UNAVAILABLE); authentication
/// (UNAUTHENTICATED; reflection and health may be opened to anonymous callers); the caller's call
/// rate and the concurrent-stream limits for stream calls (RESOURCE_EXHAUSTED). Refusals are
/// RpcExceptions, which grpc-dotnet sends as Trailers-Only responses before any handler runs.
/// Authentication and the caller's scope for what the parsed request asks to stream
/// (PERMISSION_DENIED, or UNAVAILABLE while a JWT issuer's keys cannot be fetched) are decided by
/// <see cref="StreamCallAuthorizer"/> on ASP.NET Core's authentication and authorization.
/// Admitted calls run with a <see cref="GatedServerCallContext"/> and, when they stream, a
/// <see cref="GatedStreamWriter{T}"/>; their outcome is counted (metrics) and logged once here.
/// A call still running when the drain time is over, or whose client stopped reading, is ended by
/// the service: UNAVAILABLE or RESOURCE_EXHAUSTED, with its resume point in the trailers.
/// </summary>
internal sealed partial class StreamCallGate(
    StreamCallAuthorizer authorizer,
    IOptions<StreamCallOptions> callOptions,
    StreamAdmission admission,
    CallerRateLimiter rateLimiter,
    DrainCoordinator drain,
    StreamMetrics metrics,
    ILogger<StreamCallGate> logger) : Interceptor
{
    public const string CallIdHeader = "streamgrpc-call-id";

    private readonly TimeSpan? _stalledConsumerTimeout = callOptions.Value.StalledConsumerTimeout;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        TResponse? response = null;
        await RunAsync(context, request, async call => response = await continuation(request, new GatedServerCallContext(context, call)));
        return response!;
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        TResponse? response = null;
        await RunAsync(context, null, async call => response = await continuation(requestStream, new GatedServerCallContext(context, call)));
        return response!;
    }

    // Streams are held for long: no async frame of their own here (each would stay allocated for
    // the stream's lifetime), only RunAsync's.
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        => RunAsync(context, request, call => continuation(request, new GatedStreamWriter<TResponse>(responseStream, call, metrics, _stalledConsumerTimeout), new GatedServerCallContext(context, call)));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        => RunAsync(context, null, call => continuation(requestStream, new GatedStreamWriter<TResponse>(responseStream, call, metrics, _stalledConsumerTimeout), new GatedServerCallContext(context, call)));

    /// <summary>The one error funnel of a call: admission, the handler, and how it ended.</summary>
    private async Task RunAsync(ServerCallContext context, object? request, Func<StreamCall, Task> handler)
    {
        var http = context.GetHttpContext();
        if (http.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method is not { } method)
        {
            // Fail closed: a call the gate cannot name cannot be authenticated, limited or counted.
            LogUnclassified(context.Method);
            throw new RpcException(new Status(StatusCode.Unimplemented, "the server does not serve this method"));
        }

        var kind = StreamKinds.Of(method.ServiceName);
        using var call = new StreamCall(ActivityTraceId.CreateRandom().ToHexString()[..16], method.FullName, kind, Stopwatch.GetTimestamp(), http, context.Deadline, context.CancellationToken);
        http.Response.Headers[CallIdHeader] = call.Id;

        // The call's server span is ASP.NET Core's request activity (OpenTelemetry's instrumentation
        // starts it from the caller's traceparent); the gate only names the call on it.
        var activity = Activity.Current;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("streamgrpc.call_id", call.Id);
            activity.SetTag("streamgrpc.kind", kind);
        }

        using var scope = logger.BeginScope(new StreamCallScope(call, activity));

        var principal = await AdmitAsync(http, call, method.ServiceName, request);
        var limited = !StreamKinds.IsInfrastructure(method.ServiceName);
        metrics.CallStarted(call);
        call.ResumePoint = request is null ? null : StreamProgress.StartOf(request);
        var status = StatusCode.Unknown;
        using var drained = drain.Deadline.UnsafeRegister(static state => ((StreamCall)state!).End(StreamCallEnd.Drained), call);
        try
        {
            RpcException? failure;
            try
            {
                await handler(call);
                failure = call.EndedBy == StreamCallEnd.None || call.ClientAborted.IsCancellationRequested
                    ? null

                    // The handler took the service's cancel as the end of its stream: the client
                    // must still learn that the stream was cut, and where to resume.
                    : Outcome(call, exception: null);
            }
            catch (Exception e)
            {
                // A plain catch, not a filter: the handler's clean-up (query cancelled, file closed) has run.
                failure = Outcome(call, e);
                if (failure is null)
                {
                    status = (e as RpcException)?.StatusCode ?? StatusCode.Unknown;
                    throw;
                }
            }

            if (failure is not null)
            {
                status = failure.StatusCode;
                throw failure;
            }

            // A handler that returned after its client went away did not deliver its response.
            status = call.ClientAborted.IsCancellationRequested ? AbortedStatus(call).StatusCode : StatusCode.OK;
        }
        finally
        {
            if (limited)
            {
                admission.Exit(principal.Name);
            }

            metrics.CallEnded(call, status);
            LogEnded(call.Method, status, (long)call.Elapsed.TotalMilliseconds, call.Messages, call.Bytes);
        }
    }

    /// <summary>Refuses the call (throws) or returns its caller.</summary>
    private async ValueTask<StreamPrincipal> AdmitAsync(HttpContext http, StreamCall call, string service, object? request)
    {
        // Health goes on answering while the instance drains: NOT_SERVING is what balancers must hear.
        if (drain.IsDraining && !StreamKinds.IsInfrastructure(service))
        {
            throw Refuse(call, StatusCode.Unavailable, DrainCoordinator.ShuttingDownMessage);
        }

        var access = await authorizer.AuthorizeAsync(http, service, request);
        if (access.Principal is not { } principal)
        {
            throw Refuse(call, access.Status, access.Refusal!);
        }

        call.Principal = principal;
        if (!StreamKinds.IsInfrastructure(service) && (rateLimiter.TryAcquire(principal.Name) ?? admission.TryEnter(principal.Name)) is { } refusal)
        {
            throw Refuse(call, StatusCode.ResourceExhausted, refusal);
        }

        return principal;
    }

    /// <summary>
    /// The status a failed call ends with, or null to let the handler's exception through as it is.
    /// A call the service ended gets its own status and resume point, whatever the handler made of
    /// its cancelled token; a call whose client went away is CANCELLED (DEADLINE_EXCEEDED once its
    /// deadline passed), so writes the handler attempted after the abort do not surface as errors.
    /// </summary>
    private RpcException? Outcome(StreamCall call, Exception? exception)
    {
        if (call.ClientAborted.IsCancellationRequested)
        {
            return new RpcException(AbortedStatus(call));
        }

        switch (call.EndedBy)
        {
            case StreamCallEnd.Drained:
                LogDrained(call.Id, call.ResumePoint is not null);
                return WithResumePoint(call, new RpcException(DrainCoordinator.DrainedStatus));
            case StreamCallEnd.Stalled:
                LogStalled(call.Id, _stalledConsumerTimeout.GetValueOrDefault());
                return WithResumePoint(call, new RpcException(new Status(StatusCode.ResourceExhausted, $"the client stopped reading the response for longer than {_stalledConsumerTimeout.GetValueOrDefault().TotalSeconds:0.###} s")));
        }

        return exception is RpcException rpc && IsRetryable(rpc.StatusCode) ? WithResumePoint(call, rpc) : null;
    }

    /// <summary>How a call its client ended ends: grpc-dotnet cancels the call's token for a
    /// client cancel, a reset connection and a passed deadline alike.</summary>
    private static Status AbortedStatus(StreamCall call) => DateTime.UtcNow >= call.Deadline
        ? new Status(StatusCode.DeadlineExceeded, "the call's deadline passed")
        : new Status(StatusCode.Cancelled, "the call was cancelled by the client");

    /// <summary>Statuses a client can recover from by resuming elsewhere or later.</summary>
    private static bool IsRetryable(StatusCode code) => code is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Internal;

    /// <summary>The exception with the call's resume point added to its trailers (RpcException's
    /// own may be the read-only empty set).</summary>
    private static RpcException WithResumePoint(StreamCall call, RpcException exception)
    {
        if (call.ResumePoint is null)
        {
            return exception;
        }

        var trailers = new Metadata();
        foreach (var entry in exception.Trailers)
        {
            trailers.Add(entry);
        }

        ResumeTrailers.Add(trailers, call.ResumePoint);
        return new RpcException(exception.Status, trailers);
    }

    private RpcException Refuse(StreamCall call, StatusCode code, string message)
    {
        metrics.Refused(call.Kind, code);
        LogRefused(call.Method, code, message);
        return new RpcException(new Status(code, message));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {GrpcMethod} refused: {StatusCode} {Reason}")]
    private partial void LogRefused(string grpcMethod, StatusCode statusCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {GrpcMethod} refused: the gate cannot classify its endpoint")]
    private partial void LogUnclassified(string grpcMethod);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {GrpcMethod} ended {StatusCode} after {ElapsedMs} ms: {Messages} messages, {Bytes} bytes")]
    private partial void LogEnded(string grpcMethod, StatusCode statusCode, long elapsedMs, long messages, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} ended by the drain (resume point in trailers: {HasResumePoint})")]
    private partial void LogDrained(string callId, bool hasResumePoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} ended: its client read nothing for {StalledConsumerTimeout}")]
    private partial void LogStalled(string callId, TimeSpan stalledConsumerTimeout);
}
