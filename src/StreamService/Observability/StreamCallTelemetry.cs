using System.Diagnostics;

namespace StreamService.Observability;

/// <summary>
/// The server span of a call (ActivitySource <see cref="SourceName"/>). Its parent is the W3C trace
/// context of the call: ASP.NET Core's request activity when there is one (it already read the
/// <c>traceparent</c> metadata), else <c>traceparent</c>/<c>tracestate</c> read here. While it is
/// current, Npgsql commands and HttpClient requests made by the handler join the same trace
/// (HttpClient sends <c>traceparent</c> upstream). With no listener and no incoming trace context
/// nothing is created.
/// </summary>
internal static class StreamCallTelemetry
{
    public const string SourceName = "StreamGrpc.Server";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartCall(HttpContext http, string method)
    {
        var parent = Activity.Current;
        ActivityContext incoming = default;
        if (parent is null)
        {
            var headers = http.Request.Headers;
            var traceParent = headers["traceparent"].ToString();
            if (traceParent.Length > 0)
            {
                ActivityContext.TryParse(traceParent, headers["tracestate"].ToString(), isRemote: true, out incoming);
            }
        }

        var parentContext = parent?.Context ?? incoming;
        var activity = Source.StartActivity(method, ActivityKind.Server, parentContext);
        if (activity is null && parent is null && incoming != default)
        {
            // Nobody listens, but the trace must still reach the database and upstream calls.
            activity = new Activity(method);
            activity.SetParentId(incoming.TraceId, incoming.SpanId, incoming.TraceFlags);
            activity.TraceStateString = incoming.TraceState;
            activity.Start();
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.method", method);
        }

        return activity;
    }
}
