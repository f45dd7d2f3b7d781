using System.Diagnostics;
using Grpc.Core;
using StreamService.Security;

namespace StreamService.Calls;

/// <summary>
/// What the service knows about one gRPC call beyond grpc-dotnet's context: its id (logs, the
/// <c>streamgrpc-call-id</c> response header), its caller, its kind, what it has delivered, and why
/// the service ended it early, if it did (a drain, a stalled consumer). Created by
/// <see cref="StreamCallGate"/>, which hands the handler a <see cref="GatedServerCallContext"/> carrying it.
/// </summary>
internal sealed class StreamCall : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _ended;
    private long _messages;
    private long _bytes;
    private long _items;
    private bool _writePending;

    public StreamCall(string id, string method, string kind, long startTimestamp, HttpContext http, DateTime deadline, CancellationToken clientAborted)
    {
        Deadline = deadline;
        Id = id;
        Method = method;
        Kind = kind;
        StartTimestamp = startTimestamp;
        Http = http;
        ClientAborted = clientAborted;
        _ended = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
    }

    public string Id { get; }

    public string Method { get; }

    /// <summary>rows, files, llm, jobs, health, reflection (the metrics tag).</summary>
    public string Kind { get; }

    public long StartTimestamp { get; }

    public HttpContext Http { get; }

    /// <summary>The client's deadline (UTC), <see cref="DateTime.MaxValue"/> when it set none.</summary>
    public DateTime Deadline { get; }

    /// <summary>grpc-dotnet's token for the call: the client went away, cancelled or its deadline passed.</summary>
    public CancellationToken ClientAborted { get; }

    /// <summary>The handler's token: <see cref="ClientAborted"/>, or the service ending the call.</summary>
    public CancellationToken Token => _ended.Token;

    public StreamPrincipal? Principal { get; set; }

    /// <summary>Why the service ended the call, if it did.</summary>
    public StreamCallEnd EndedBy { get; private set; }

    /// <summary>The last position delivered (a resume token, file position or sequence number), or
    /// what the request started from; <see cref="ResumeTrailers"/> turns it into trailers.</summary>
    public object? ResumePoint { get; set; }

    public long Messages => Volatile.Read(ref _messages);

    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Items (rows, lines, tokens, events) delivered so far.</summary>
    public long Items => Volatile.Read(ref _items);

    /// <summary>Stopwatch timestamp of the first response message; 0 until then.</summary>
    public long FirstMessageTimestamp { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartTimestamp);

    /// <summary>Records a delivered message; true for the first one.</summary>
    public bool OnSent(long bytes, long items)
    {
        var first = FirstMessageTimestamp == 0;
        if (first)
        {
            FirstMessageTimestamp = Stopwatch.GetTimestamp();
        }

        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _items, items);
        return first;
    }

    /// <summary>Called by the call's writer before a write: false once the service has ended the call.</summary>
    public bool TryBeginWrite()
    {
        lock (_lock)
        {
            if (EndedBy != StreamCallEnd.None)
            {
                return false;
            }

            _writePending = true;
            return true;
        }
    }

    public void EndWrite()
    {
        lock (_lock)
        {
            _writePending = false;
        }
    }

    /// <summary>Ends a write that waits for the client without resetting the stream: grpc-dotnet
    /// treats the cancelled flush as done, and the message stays queued ahead of the trailers.</summary>
    public void CancelPendingWrite()
    {
        lock (_lock)
        {
            if (_writePending)
            {
                Http.Response.BodyWriter.CancelPendingFlush();
            }
        }
    }

    /// <summary>
    /// Ends the call from the service's side (a drain, a stalled consumer) without resetting its
    /// HTTP/2 stream, so its status and resume trailers still reach the client after what it was
    /// sent: a write waiting for the client returns at once (its bytes stay queued ahead of the
    /// trailers), later writes are refused, and the handler's token is cancelled.
    /// </summary>
    public void End(StreamCallEnd reason)
    {
        lock (_lock)
        {
            if (EndedBy != StreamCallEnd.None)
            {
                return;
            }

            EndedBy = reason;
            if (_writePending)
            {
                Http.Response.BodyWriter.CancelPendingFlush();
            }
        }

        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call finished meanwhile.
        }
    }

    public void Dispose() => _ended.Dispose();

    /// <summary>The call's record, or null for a context that did not come through the gate
    /// (handlers invoked in-process by feature tests).</summary>
    public static StreamCall? Of(ServerCallContext context) => (context as GatedServerCallContext)?.Call;

    /// <summary>The request services of the call, or null outside ASP.NET Core.</summary>
    public static IServiceProvider? Services(ServerCallContext context) => Of(context)?.Http.RequestServices;
}

/// <summary>Why the service, not the client, ended a call.</summary>
internal enum StreamCallEnd
{
    None,

    /// <summary>The drain time ran out while the call was running.</summary>
    Drained,

    /// <summary>One write waited longer than the stalled-consumer timeout for the client to read.</summary>
    Stalled,
}
