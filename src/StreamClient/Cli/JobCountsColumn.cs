using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary>The progress bar's counts: rows, rows per second and the service's estimate of the time
/// left, e.g. <c>1,234,567 rows  345,678 rows/s  ETA 00:00:12</c> (at most 50 columns, so with the
/// bar and the percent a row fits 80). Never wraps: on a narrower terminal the text is cut. The text
/// is kept as the task's description (plain text here, as no description column renders it).</summary>
/// <param name="besides">Columns the other parts of the row take (bar, percent, gaps).</param>
internal sealed class JobCountsColumn(int besides) : ProgressColumn
{
    private const int MaxWidth = 50;

    protected override bool NoWrap => true;

    /// <summary>What is left of the row, so the bar keeps its width and the counts are the part cut.</summary>
    public override int? GetColumnWidth(RenderOptions options) => Math.Clamp(options.ConsoleSize.Width - besides, 1, MaxWidth);

    /// <summary>Records the latest progress on the task, for the next refresh.</summary>
    public static void Set(ProgressTask task, JobProgress progress) =>
        task.Description = Format(progress);

    internal static string Format(JobProgress progress)
    {
        var eta = progress.EstimatedRemaining is { } remaining ? remaining.ToTimeSpan().ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
        var rejected = progress.RowsRejected > 0 ? string.Create(CultureInfo.InvariantCulture, $"  {progress.RowsRejected:N0} rej.") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{progress.RowsImported:N0} rows  {progress.RowsPerSecond:N0} rows/s  ETA {eta}{rejected}");
    }

    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        var width = GetColumnWidth(options) ?? MaxWidth;
        var text = task.Description;
        return new Text(text.Length <= width ? text : text[..Math.Max(0, width - 1)] + "…");
    }
}
