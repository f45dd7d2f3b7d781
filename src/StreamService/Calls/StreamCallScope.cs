using System.Collections;
using System.Diagnostics;

namespace StreamService.Calls;

/// <summary>The logging scope of a call: every log line written while the call runs (runtime,
/// features, Npgsql) carries its call id, method, caller and trace id.</summary>
internal sealed class StreamCallScope(StreamCall call, Activity? activity) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("CallId", call.Id),
        1 => new("GrpcMethod", call.Method),
        2 => new("Caller", call.Principal?.Name),
        3 => new("TraceId", activity?.TraceId.ToString()),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"call {call.Id} {call.Method} caller={call.Principal?.Name} trace={activity?.TraceId}";
}
