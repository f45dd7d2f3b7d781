using System.Diagnostics;

namespace StreamService.Llm;

/// <summary>The timing of one call, from the moment the service received the request: elapsed time
/// per delta, time to first token, and the token rate after it.</summary>
internal struct CompletionClock
{
    private readonly long _start;
    private long _firstToken;
    private long _lastToken;

    private CompletionClock(long start)
    {
        _start = start;
    }

    public static CompletionClock Start() => new(Stopwatch.GetTimestamp());

    public readonly TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>Time to first token; null before the first delta.</summary>
    public readonly TimeSpan? TimeToFirstToken => _firstToken == 0 ? null : Stopwatch.GetElapsedTime(_start, _firstToken);

    /// <summary>Records a delta and returns its elapsed time.</summary>
    public TimeSpan Token()
    {
        var now = Stopwatch.GetTimestamp();
        if (_firstToken == 0)
        {
            _firstToken = now;
        }

        _lastToken = now;
        return Stopwatch.GetElapsedTime(_start, now);
    }

    /// <summary>(tokens - 1) over the time from first to last delta: the generation rate once the
    /// first token is out, not diluted by time to first token. 0 when it cannot be measured.</summary>
    public readonly double TokensPerSecond(int completionTokens)
    {
        var span = _firstToken == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_firstToken, _lastToken);
        return completionTokens < 2 || span <= TimeSpan.Zero ? 0 : (completionTokens - 1) / span.TotalSeconds;
    }
}
