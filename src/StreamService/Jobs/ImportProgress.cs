using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>Counters of a running import and the throttle of its progress events: percent is bytes
/// consumed over the file size (the only measure that is known up front and grows steadily whatever
/// the filters drop), rates are averages since the start, the estimate is the bytes left at the
/// byte rate.</summary>
internal sealed class ImportProgress(long totalBytes, TimeSpan interval)
{
    private long _start = Stopwatch.GetTimestamp();
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    private long _nextDue;

    public long TotalBytes { get; } = totalBytes;

    /// <summary>Offset just past the last line read from the file.</summary>
    public long BytesRead { get; set; }

    public long RowsImported { get; set; }

    public long RowsRejected { get; set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>Starts the clock again once the job is marked running, so that elapsed (and the
    /// rates) count from the job's started_at and started_at + elapsed never passes finished_at.</summary>
    public void Restart() => _start = Stopwatch.GetTimestamp();

    /// <summary>Whether the next progress event is due; cheap enough to ask for every record.</summary>
    public bool IsDue() => Stopwatch.GetTimestamp() >= _nextDue;

    /// <summary>The event to send now; restarts the throttle interval.</summary>
    public JobProgress Snapshot(bool final = false)
    {
        _nextDue = Stopwatch.GetTimestamp() + _intervalTicks;
        var elapsed = Elapsed;
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        var bytes = final && TotalBytes > 0 ? TotalBytes : BytesRead;
        var progress = new JobProgress
        {
            BytesRead = bytes,
            TotalBytes = TotalBytes,
            RowsImported = RowsImported,
            RowsRejected = RowsRejected,
            Percent = final ? 100 : TotalBytes > 0 ? Math.Min(100, bytes * 100.0 / TotalBytes) : 0,
            RowsPerSecond = RowsImported / seconds,
            BytesPerSecond = bytes / seconds,
            Elapsed = Duration.FromTimeSpan(elapsed),
        };

        if (final)
        {
            progress.EstimatedRemaining = Duration.FromTimeSpan(TimeSpan.Zero);
        }
        else if (TotalBytes > 0 && bytes > 0)
        {
            var remaining = (TotalBytes - bytes) / (bytes / seconds);
            progress.EstimatedRemaining = Duration.FromTimeSpan(TimeSpan.FromSeconds(Math.Round(Math.Max(0, remaining), 3)));
        }

        return progress;
    }
}
