using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using StreamService.Drain;
using StreamService.Limits;
using StreamService.Observability;
using StreamService.Security;

namespace StreamService.Calls;

/// <summary>
/// The middleware every gRPC call passes before its handler (health excepted: always open and
/// unmetered). In order: a call id, logging scope and server span; refusal while draining
/// (UNAVAILABLE); authentication (UNAUTHENTICATED); the caller's call rate and the concurrent-stream
/// limits (RESOURCE_EXHAUSTED). Refusals are Trailers-Only responses and no handler runs. Admitted
/// calls are counted (metrics), and a call still running when the drain time is over is cancelled
/// and ended with UNAVAILABLE plus the resume point its feature registered.
/// </summary>
internal sealed partial class StreamCallGate(
    RequestDelegate next,
    BearerTokenAuthenticator authenticator,
    IOptions<AuthOptions> authOptions,
    StreamAdmission admission,
    CallerRateLimiter rateLimiter,
    DrainCoordinator drain,
    StreamMetrics metrics,
    ILogger<StreamCallGate> logger)
{
    public const string CallIdHeader = "streamgrpc-call-id";

    private readonly bool _anonymousReflection = authOptions.Value.AllowAnonymousReflection;

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<IMethod>() is not { } method || StreamKinds.IsHealth(method.ServiceName))
        {
            await next(http);
            return;
        }

        var start = Stopwatch.GetTimestamp();
        var call = new StreamCall(ActivityTraceId.CreateRandom().ToHexString()[..16], method.FullName, StreamKinds.Of(method.ServiceName), start);
        http.Features.Set(call);
        http.Response.Headers[CallIdHeader] = call.Id;

        using var activity = StreamCallTelemetry.StartCall(http, method.FullName);
        using var scope = logger.BeginScope(new StreamCallScope(call, activity ?? Activity.Current));

        if (drain.IsDraining)
        {
            Refuse(http, call, StatusCode.Unavailable, DrainCoordinator.ShuttingDownMessage);
            return;
        }

        var peer = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var reflection = StreamKinds.IsReflection(method.ServiceName);
        var outcome = reflection && _anonymousReflection
            ? AuthenticationOutcome.Success(StreamPrincipal.Anonymous(peer))
            : await authenticator.AuthenticateAsync(http.Request.Headers.Authorization.ToString(), peer);
        if (outcome.Principal is not { } principal)
        {
            Refuse(http, call, StatusCode.Unauthenticated, outcome.Failure!);
            return;
        }

        call.Principal = principal;
        if (reflection)
        {
            await next(http);
            return;
        }

        if ((rateLimiter.TryAcquire(principal.Name) ?? admission.TryEnter(principal.Name)) is { } refusal)
        {
            Refuse(http, call, StatusCode.ResourceExhausted, refusal);
            return;
        }

        await RunAdmittedAsync(http, call, principal);
    }

    private async Task RunAdmittedAsync(HttpContext http, StreamCall call, StreamPrincipal principal)
    {
        var bodyFeature = http.Features.Get<IHttpResponseBodyFeature>()!;
        var writer = new CountingPipeWriter(bodyFeature.Writer, call, metrics);
        http.Features.Set<IHttpResponseBodyFeature>(new CountingResponseBodyFeature(bodyFeature, writer));

        // The handler's cancellation token follows RequestAborted: a token of our own, linked to
        // the client's, lets the drain cancel the handler without resetting the HTTP/2 stream, so
        // the status and resume point still reach the client.
        var clientAborted = http.RequestAborted;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        http.RequestAborted = aborted.Token;
        using var drained = drain.Deadline.UnsafeRegister(static state =>
        {
            var (writer, aborted) = ((CountingPipeWriter, CancellationTokenSource))state!;
            writer.EndForDrain(() => CancelQuietly(aborted));
        }, (writer, aborted));

        metrics.CallStarted(call);
        var status = StatusCode.Unknown;
        try
        {
            await next(http);
            status = GrpcStatusResponse.Read(http);
            if (status != StatusCode.OK && drain.Deadline.IsCancellationRequested && !clientAborted.IsCancellationRequested)
            {
                var resume = new Metadata();
                call.ResumePoint?.Invoke(resume);
                GrpcStatusResponse.Replace(http, StatusCode.Unavailable, DrainCoordinator.DrainedStatus.Detail, resume);
                status = StatusCode.Unavailable;
                LogDrained(call.Id, resume.Count > 0);
            }
        }
        finally
        {
            http.RequestAborted = clientAborted;
            writer.ReportPending();
            admission.Exit(principal.Name);
            metrics.CallEnded(call, status);
            LogEnded(call.Method, status, (long)call.Elapsed.TotalMilliseconds, call.Messages, call.Bytes);
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended meanwhile.
        }
    }

    private void Refuse(HttpContext http, StreamCall call, StatusCode code, string message)
    {
        GrpcStatusResponse.WriteTrailersOnly(http, code, message);
        metrics.Refused(call.Kind, code);
        LogRefused(call.Method, code, message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {GrpcMethod} refused: {StatusCode} {Reason}")]
    private partial void LogRefused(string grpcMethod, StatusCode statusCode, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {GrpcMethod} ended {StatusCode} after {ElapsedMs} ms: {Messages} messages, {Bytes} bytes")]
    private partial void LogEnded(string grpcMethod, StatusCode statusCode, long elapsedMs, long messages, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} ended by the drain (resume point in trailers: {HasResumePoint})")]
    private partial void LogDrained(string callId, bool hasResumePoint);
}
