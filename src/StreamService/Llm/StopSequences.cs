using System.Text;

namespace StreamService.Llm;

/// <summary>Finds stop sequences in text produced so far.</summary>
internal static class StopSequences
{
    /// <summary>Returns where the earliest stop sequence starts (or -1), and from where the text must be
    /// held back because its end is the beginning of some stop sequence (the length when nothing is).</summary>
    public static (int StopAt, int HoldFrom) Scan(StringBuilder text, IReadOnlyList<string> stops)
    {
        var value = text.ToString();
        var stopAt = -1;
        foreach (var stop in stops)
        {
            var at = value.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
            {
                stopAt = at;
            }
        }

        if (stopAt >= 0)
        {
            return (stopAt, stopAt);
        }

        var holdFrom = value.Length;
        foreach (var stop in stops)
        {
            for (var length = Math.Min(stop.Length - 1, value.Length); length > 0; length--)
            {
                if (value.AsSpan(value.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    holdFrom = Math.Min(holdFrom, value.Length - length);
                    break;
                }
            }
        }

        return (-1, holdFrom);
    }
}
