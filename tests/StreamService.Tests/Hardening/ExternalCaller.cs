using System.Net.Http;
using Grpc.Net.Client;

namespace StreamService.Tests.Hardening;

/// <summary>
/// A channel that behaves like a caller in another process which sets <c>traceparent</c> itself. The
/// tests' callers share the process with the service, whose OpenTelemetry HttpClient instrumentation
/// listens process-wide: a plain channel's handler would start its own client activity and replace
/// the caller's <c>traceparent</c> with it. This handler propagates nothing, so the metadata the
/// test sets is what the service receives.
/// </summary>
internal static class ExternalCaller
{
    public static GrpcChannelOptions ChannelOptions() => new()
    {
        HttpHandler = new SocketsHttpHandler { ActivityHeadersPropagator = null, UseProxy = false },
    };
}
