using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using StreamService.Calls;

namespace StreamService.Observability;

/// <summary>
/// The service's instruments (meter <see cref="MeterName"/>), all tagged with the stream kind:
/// active streams, messages and bytes sent, items delivered (rows, lines, tokens; a counter whose
/// rate is items per second), time to first message, call duration and completed calls by status.
/// Items are counted by the gate's writer from the messages it passes on (<see cref="StreamProgress"/>).
/// </summary>
internal sealed class StreamMetrics : IDisposable
{
    public const string MeterName = "StreamGrpc.Server";

    private const string KindTag = "streamgrpc.kind";
    private const string StatusTag = "rpc.grpc.status_code";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _timeToFirstMessage;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<StreamCall, byte> _live = new();
    private readonly ConcurrentDictionary<string, long> _finishedItems = new(StringComparer.Ordinal);

    public StreamMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _active = _meter.CreateUpDownCounter<long>("streamgrpc.server.active_streams", "{stream}", "Calls in progress.");
        _messages = _meter.CreateCounter<long>("streamgrpc.server.messages_sent", "{message}", "Response messages sent.");
        _bytes = _meter.CreateCounter<long>("streamgrpc.server.bytes_sent", "By", "Response bytes sent (framed, before compression).");
        _calls = _meter.CreateCounter<long>("streamgrpc.server.calls", "{call}", "Completed calls by status, including calls refused by the gate.");
        _timeToFirstMessage = _meter.CreateHistogram<double>("streamgrpc.server.time_to_first_message", "s", "From the call's arrival to its first response message.");
        _duration = _meter.CreateHistogram<double>("streamgrpc.server.call_duration", "s", "Call duration.");
        _meter.CreateObservableCounter("streamgrpc.server.items_sent", ObserveItems, "{item}", "Items delivered: rows, lines, tokens, job events.");
    }

    /// <summary>The meter (tests listen to this instance only).</summary>
    public Meter Meter => _meter;

    public void CallStarted(StreamCall call)
    {
        _live.TryAdd(call, 0);
        _active.Add(1, new KeyValuePair<string, object?>(KindTag, call.Kind));
    }

    /// <summary>One response message delivered (<paramref name="first"/>: the call's first).</summary>
    public void Sent(StreamCall call, long bytes, bool first)
    {
        var kind = new KeyValuePair<string, object?>(KindTag, call.Kind);
        _messages.Add(1, kind);
        _bytes.Add(bytes, kind);
        if (first)
        {
            _timeToFirstMessage.Record(Stopwatch.GetElapsedTime(call.StartTimestamp).TotalSeconds, kind);
        }
    }

    public void CallEnded(StreamCall call, StatusCode status)
    {
        var kind = new KeyValuePair<string, object?>(KindTag, call.Kind);
        if (_live.TryRemove(call, out _))
        {
            _active.Add(-1, kind);
            var items = call.Items;
            _finishedItems.AddOrUpdate(call.Kind, items, (_, total) => total + items);
        }

        _calls.Add(1, kind, new KeyValuePair<string, object?>(StatusTag, (int)status));
        _duration.Record(call.Elapsed.TotalSeconds, kind);
    }

    /// <summary>A call refused before it started (unauthenticated, limits, draining).</summary>
    public void Refused(string kind, StatusCode status)
        => _calls.Add(1, new KeyValuePair<string, object?>(KindTag, kind), new KeyValuePair<string, object?>(StatusTag, (int)status));

    private IEnumerable<Measurement<long>> ObserveItems()
    {
        var totals = new Dictionary<string, long>(_finishedItems, StringComparer.Ordinal);
        foreach (var call in _live.Keys)
        {
            totals[call.Kind] = totals.GetValueOrDefault(call.Kind) + call.Items;
        }

        return totals.Select(t => new Measurement<long>(t.Value, new KeyValuePair<string, object?>(KindTag, t.Key)));
    }

    public void Dispose() => _meter.Dispose();
}
