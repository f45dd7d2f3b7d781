using System.Text;

namespace StreamService.Rows;

/// <summary>Helpers for caller-facing messages that echo caller input.</summary>
internal static class RowsMessages
{
    private const int MaxEchoLength = 64;

    /// <summary>Caller input made safe to echo: control characters replaced, long input cut.</summary>
    public static string Quote(string input)
    {
        var builder = new StringBuilder(Math.Min(input.Length, MaxEchoLength) + 3);
        foreach (var c in input.Length > MaxEchoLength ? input.AsSpan(0, MaxEchoLength) : input.AsSpan())
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        if (input.Length > MaxEchoLength)
        {
            builder.Append("...");
        }

        return builder.ToString();
    }
}
