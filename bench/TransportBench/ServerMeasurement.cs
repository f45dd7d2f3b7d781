using System.Globalization;

namespace StreamGrpc.Bench.Transport;

/// <summary>
/// What the server process spent on one streaming loop: bytes allocated by every thread of the
/// process (the handler, Kestrel's HTTP/2 frame writer, socket sends), CPU time and wall time.
/// Taken in the server process so client work cannot pollute it; sent back in response trailers.
/// </summary>
internal readonly record struct ServerMeasurement(long AllocatedBytes, TimeSpan CpuTime, TimeSpan Elapsed)
{
    public const string AllocatedTrailer = "bench-allocated-bytes";
    public const string CpuTrailer = "bench-cpu-ticks";
    public const string ElapsedTrailer = "bench-elapsed-ticks";

    /// <summary>The measured values as trailer name/value pairs.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToTrailers()
    {
        yield return new(AllocatedTrailer, AllocatedBytes.ToString(CultureInfo.InvariantCulture));
        yield return new(CpuTrailer, CpuTime.Ticks.ToString(CultureInfo.InvariantCulture));
        yield return new(ElapsedTrailer, Elapsed.Ticks.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Parses the trailers written by <see cref="ToTrailers"/>.</summary>
    public static ServerMeasurement FromTrailers(Func<string, string?> trailer)
    {
        static long Parse(string? value, string name)
            => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"The server did not send the '{name}' trailer.");

        return new ServerMeasurement(
            Parse(trailer(AllocatedTrailer), AllocatedTrailer),
            TimeSpan.FromTicks(Parse(trailer(CpuTrailer), CpuTrailer)),
            TimeSpan.FromTicks(Parse(trailer(ElapsedTrailer), ElapsedTrailer)));
    }
}
