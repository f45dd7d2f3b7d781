using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace StreamService.Limits;

/// <summary>Counts calls in progress, in total and per caller, and refuses one beyond either limit.</summary>
internal sealed class StreamAdmission(IOptions<LimitsOptions> options)
{
    private readonly int _maxTotal = options.Value.MaxConcurrentStreams;
    private readonly int _maxPerCaller = options.Value.MaxConcurrentStreamsPerCaller;
    private readonly ConcurrentDictionary<string, StrongBox<int>> _perCaller = new(StringComparer.Ordinal);
    private int _total;

    public int Total => Volatile.Read(ref _total);

    /// <summary>Admits the call, or returns why not (a message for the caller).</summary>
    public string? TryEnter(string caller)
    {
        if (Interlocked.Increment(ref _total) > _maxTotal && _maxTotal > 0)
        {
            Interlocked.Decrement(ref _total);
            return $"the server is at its limit of {_maxTotal} concurrent streams; retry later or on another instance";
        }

        var count = _perCaller.GetOrAdd(caller, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref count.Value) > _maxPerCaller && _maxPerCaller > 0)
        {
            Interlocked.Decrement(ref count.Value);
            Interlocked.Decrement(ref _total);
            return $"caller '{caller}' is at its limit of {_maxPerCaller} concurrent streams; end a stream first";
        }

        return null;
    }

    public void Exit(string caller)
    {
        if (_perCaller.TryGetValue(caller, out var count))
        {
            Interlocked.Decrement(ref count.Value);
        }

        Interlocked.Decrement(ref _total);
    }
}
