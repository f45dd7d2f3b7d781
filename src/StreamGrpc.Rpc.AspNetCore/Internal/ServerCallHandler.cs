using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>
/// Runs one call of one method: checks the HTTP/2 request, sets up the call context, runs the
/// method-kind specific part, and funnels every outcome (return, <see cref="RpcException"/>,
/// cancellation, deadline, any other exception) into exactly one status written to the client.
/// </summary>
internal abstract partial class ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    protected ServerCallHandler(Method<TRequest, TResponse> method, ServiceActivator<TService> activator, GrpcServiceOptions options, ILogger logger)
    {
        Method = method;
        Activator = activator;
        Options = options;
        Logger = logger;
    }

    protected Method<TRequest, TResponse> Method { get; }

    protected ServiceActivator<TService> Activator { get; }

    protected GrpcServiceOptions Options { get; }

    protected ILogger Logger { get; }

    public async Task HandleCallAsync(HttpContext httpContext)
    {
        if (!ServerProtocolChecks.Validate(httpContext))
        {
            return;
        }

        DisableLimitsForStreaming(httpContext);

        using var context = new HttpContextServerCallContext(httpContext, Method.FullName, Options, Logger);
        if (context.Initialize() is { } initError)
        {
            context.WriteStatus(initError, null);
            return;
        }

        Status status;
        Metadata? errorTrailers = null;
        var service = Activator.Create(httpContext.RequestServices, out var created);
        try
        {
            await HandleCallCoreAsync(httpContext, context, service).ConfigureAwait(false);
            status = context.DeadlineExceeded ? DeadlineStatus : context.Status;
        }
        catch (Exception ex)
        {
            (status, errorTrailers) = MapException(ex, context);
        }
        finally
        {
            context.Completed = true;
            if (created)
            {
                await ServiceActivator<TService>.ReleaseAsync(service).ConfigureAwait(false);
            }
        }

        context.WriteStatus(status, errorTrailers);
    }

    protected abstract Task HandleCallCoreAsync(HttpContext httpContext, HttpContextServerCallContext context, TService service);

    /// <summary>Reads the single request message of a unary or server-streaming call.</summary>
    protected async Task<TRequest> ReadSingleRequestAsync(HttpContext httpContext, HttpContextServerCallContext context)
    {
        using var reader = new PipeMessageReader(httpContext.Request.BodyReader, Options.MaxReceiveMessageSize, context.RequestEncoding);
        var request = await reader.ReadAsync(Method.RequestMarshaller.ContextualDeserializer, context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Internal, "Request did not include a message."));
        if (await reader.ReadAsync(Method.RequestMarshaller.ContextualDeserializer, context.CancellationToken).ConfigureAwait(false) is not null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Request included more than one message for a method that takes one."));
        }

        return request;
    }

    private static readonly Status DeadlineStatus = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    private (Status Status, Metadata? Trailers) MapException(Exception ex, HttpContextServerCallContext context)
    {
        if (context.DeadlineExceeded)
        {
            Log.DeadlineExceeded(Logger, Method.FullName);
            return (DeadlineStatus, null);
        }

        if (context.ClientAborted && ex is OperationCanceledException or IOException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Client cancellation is routine, not an error (house rule 6).
            Log.CallCancelled(Logger, Method.FullName);
            return (new Status(StatusCode.Cancelled, "Call canceled by the client."), null);
        }

        switch (ex)
        {
            case RpcException rpc:
                Log.RpcExceptionThrown(Logger, Method.FullName, rpc.StatusCode);
                return (rpc.Status, rpc.Trailers);
            case OperationCanceledException:
                Log.CallCancelled(Logger, Method.FullName);
                return (new Status(StatusCode.Cancelled, "The call was cancelled."), null);
            default:
                Log.UnhandledException(Logger, Method.FullName, ex);
                var detail = Options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {ex.GetType().Name}: {ex.Message}"
                    : "Exception was thrown by handler.";
                return (new Status(StatusCode.Unknown, detail, ex), null);
        }
    }

    private static void DisableLimitsForStreaming(HttpContext httpContext)
    {
        // A gRPC request body is a stream of messages with its own size limit per message; Kestrel's
        // whole-body limit and minimum data rate would cut long-lived streams short.
        if (httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            minRate.MinDataRate = null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Call {Method} was cancelled by the client.")]
        public static partial void CallCancelled(ILogger logger, string method);

        [LoggerMessage(2, LogLevel.Information, "Call {Method} exceeded its deadline.")]
        public static partial void DeadlineExceeded(ILogger logger, string method);

        [LoggerMessage(3, LogLevel.Information, "Call {Method} ended with status {StatusCode} from the handler.")]
        public static partial void RpcExceptionThrown(ILogger logger, string method, StatusCode statusCode);

        [LoggerMessage(4, LogLevel.Error, "Call {Method} failed with an unhandled exception.")]
        public static partial void UnhandledException(ILogger logger, string method, Exception exception);
    }
}
