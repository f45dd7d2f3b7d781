using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary>Shows a job's events: a live progress bar (percent, rate, time left) on a terminal,
/// NDJSON (one event per line, protobuf JSON mapping) with --json, plain lines otherwise. A failed
/// job ends the command with the job's status, so the exit code says why (64 + code).</summary>
internal static class JobEventsView
{
    private const int BarWidth = 20;
    private const int PercentWidth = 4; // "100%"

    private static readonly JsonFormatter s_json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public static async Task ShowAsync(IAsyncEnumerable<JobEvent> events, CliOutput output, string title)
    {
        JobEvent? last = null;
        if (output.IsJson)
        {
            await foreach (var jobEvent in events)
            {
                output.WriteLine(s_json.Format(jobEvent));
                output.Flush();
                last = jobEvent;
            }
        }
        else if (output.IsTerminal && !Console.IsErrorRedirected)
        {
            last = await ShowProgressAsync(events, output.Error, title);
        }
        else
        {
            await foreach (var jobEvent in events)
            {
                last = jobEvent;
                var text = jobEvent.KindCase switch
                {
                    JobEvent.KindOneofCase.Started => $"job {jobEvent.JobId} started: {jobEvent.Started.TotalBytes} bytes into {jobEvent.Started.Table}",
                    JobEvent.KindOneofCase.Progress => Describe(jobEvent.Progress),
                    JobEvent.KindOneofCase.Rejected => $"line {jobEvent.Rejected.LineNumber} rejected: {jobEvent.Rejected.Reason}",
                    _ => null, // the final event is summarised on stderr below
                };
                if (text is not null)
                {
                    output.WriteLine(text);
                    output.Flush();
                }
            }
        }

        switch (last?.KindCase)
        {
            case JobEvent.KindOneofCase.Completed:
                var done = last.Completed;
                if (!output.IsJson)
                {
                    output.Error.MarkupLineInterpolated($"[green]completed:[/] {done.RowsImported:N0} rows imported, {done.RowsRejected:N0} rejected in {done.Elapsed.ToTimeSpan().TotalSeconds:F1} s ({done.RowsPerSecond:N0} rows/s)");
                }

                break;
            case JobEvent.KindOneofCase.Failed:
                // Ends the command with the job's own status (exit code 64 + code).
                throw new RpcException(new Grpc.Core.Status((StatusCode)last.Failed.Code, "job " + last.JobId + " failed: " + last.Failed.Message));
        }
    }

    /// <summary>The live progress bar on a terminal: the title on a line of its own, then one row of
    /// bar, percent and counts that fits 80 columns (the counts are cut, never wrapped, on a
    /// narrower terminal, so the bar stays); rejected lines print above it.</summary>
    internal static async Task<JobEvent?> ShowProgressAsync(IAsyncEnumerable<JobEvent> events, IAnsiConsole console, string title)
    {
        JobEvent? last = null;
        console.MarkupLineInterpolated($"[bold]{title}[/]");
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new ProgressBarColumn { Width = BarWidth }, new PercentageColumn(), new JobCountsColumn(besides: BarWidth + PercentWidth + 2))
            .StartAsync(async context =>
            {
                var task = context.AddTask("waiting for the first progress", maxValue: 100);
                await foreach (var jobEvent in events)
                {
                    last = jobEvent;
                    switch (jobEvent.KindCase)
                    {
                        case JobEvent.KindOneofCase.Started:
                            console.MarkupLineInterpolated($"[grey]job {jobEvent.JobId}[/]");
                            break;
                        case JobEvent.KindOneofCase.Progress:
                            task.Value = jobEvent.Progress.Percent;
                            JobCountsColumn.Set(task, jobEvent.Progress);
                            break;
                        case JobEvent.KindOneofCase.Rejected:
                            console.MarkupLineInterpolated($"[yellow]line {jobEvent.Rejected.LineNumber} rejected:[/] {jobEvent.Rejected.Reason}");
                            break;
                        case JobEvent.KindOneofCase.Completed:
                            task.Value = 100;
                            break;
                    }
                }
            });
        return last;
    }

    internal static string Describe(JobProgress progress)
    {
        var eta = progress.EstimatedRemaining is { } remaining ? remaining.ToTimeSpan().ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
        return string.Create(CultureInfo.InvariantCulture,
            $"{progress.Percent,5:F1}%  {progress.RowsImported:N0} rows, {progress.RowsRejected:N0} rejected, {progress.RowsPerSecond:N0} rows/s, {progress.BytesPerSecond / (1024 * 1024):F1} MiB/s, ETA {eta}");
    }
}
