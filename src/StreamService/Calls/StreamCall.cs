using System.Diagnostics;
using Grpc.Core;
using StreamService.Security;

namespace StreamService.Calls;

/// <summary>
/// What the service knows about one gRPC call beyond the runtime's context: its id (logs, the
/// <c>streamgrpc-call-id</c> response header), its caller, its kind, what it has sent, and the
/// progress hooks feature services register (<see cref="ServerCallContextStreamExtensions.TrackProgress"/>):
/// an item count for the items-sent metric and the resume point written into the trailers when the
/// call is ended by a drain. Stored as an HttpContext feature by <see cref="StreamCallGate"/>.
/// </summary>
internal sealed class StreamCall
{
    private long _messages;
    private long _bytes;

    public StreamCall(string id, string method, string kind, long startTimestamp)
    {
        Id = id;
        Method = method;
        Kind = kind;
        StartTimestamp = startTimestamp;
    }

    public string Id { get; }

    public string Method { get; }

    /// <summary>rows, files, llm, jobs, ... (the metrics tag).</summary>
    public string Kind { get; }

    public long StartTimestamp { get; }

    public StreamPrincipal? Principal { get; set; }

    /// <summary>Items (rows, lines, tokens, events) delivered so far, as counted by the feature.</summary>
    public Func<long>? Items { get; set; }

    /// <summary>Adds the trailers a client resumes from (e.g. <c>streamgrpc-resume-token</c>).</summary>
    public Action<Metadata>? ResumePoint { get; set; }

    public long Messages => Volatile.Read(ref _messages);

    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Stopwatch timestamp of the first response byte; 0 until then.</summary>
    public long FirstMessageTimestamp { get; private set; }

    public void OnSent(long messages, long bytes, long timestamp)
    {
        if (FirstMessageTimestamp == 0 && messages > 0)
        {
            FirstMessageTimestamp = timestamp;
        }

        Interlocked.Add(ref _messages, messages);
        Interlocked.Add(ref _bytes, bytes);
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartTimestamp);

    /// <summary>The call's record, or null for a context that did not come through the gate.</summary>
    public static StreamCall? Of(ServerCallContext context) => HttpContextOf(context)?.Features.Get<StreamCall>();

    /// <summary>The request services of the call, or null outside ASP.NET Core.</summary>
    public static IServiceProvider? Services(ServerCallContext context) => HttpContextOf(context)?.RequestServices;

    private static HttpContext? HttpContextOf(ServerCallContext context)
    {
        try
        {
            return context.GetHttpContext();
        }
        catch (InvalidOperationException)
        {
            // An in-process context (unit tests): no HTTP call, so no gate record.
            return null;
        }
    }
}
