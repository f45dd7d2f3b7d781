using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;
using StreamClient.Cli;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Client;

/// <summary>The import progress bar as an interactive terminal of a given width shows it: every
/// rendered row fits, and the bar stays on the row with the counts (it used to wrap away at 80).</summary>
public sealed partial class CliProgressBarTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    public async Task ShowProgress_TerminalWidth_EveryRowFitsAndTheBarStaysWithTheCounts(int width)
    {
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        console.Profile.Width = width;

        var last = await JobEventsView.ShowProgressAsync(Events(), console, "demo/people.csv -> people").Bounded();

        Assert.Equal(JobEvent.KindOneofCase.Completed, last?.KindCase);
        var rows = Ansi().Replace(screen.ToString(), "").Split('\n', '\r').Where(l => l.Trim().Length > 0).ToList();
        Assert.All(rows, row => Assert.True(row.TrimEnd().Length <= width, $"{row.TrimEnd().Length} columns: '{row}'"));
        var bars = rows.Where(r => r.Contains('━')).ToList();
        Assert.NotEmpty(bars);
        Assert.All(bars, bar => Assert.Contains("%", bar));
        Assert.Contains(bars, bar => bar.Contains("123,456,789 rows", StringComparison.Ordinal));
        Assert.DoesNotContain(rows, r => r.Contains("rows", StringComparison.Ordinal) && !r.Contains('━') && !r.Contains("rejected", StringComparison.Ordinal));
    }

    private static async IAsyncEnumerable<JobEvent> Events()
    {
        await Task.Yield();
        yield return new JobEvent { JobId = "01937d2a-0000-7000-8000-000000000001", Sequence = 1, Started = new JobStarted { Table = "people", TotalBytes = 9_000_000_000 } };
        yield return Progress(2, 45.5, 123_456_789, 0);
        yield return new JobEvent { Sequence = 3, Rejected = new ImportRejected { LineNumber = 42, Reason = "column age: 'abc' is not an integer", RowsRejected = 1 } };
        yield return Progress(4, 99.9, 123_456_789, 12_345);
        yield return new JobEvent { Sequence = 5, Completed = new JobCompleted { RowsImported = 123_456_789, RowsRejected = 12_345, Elapsed = Duration.FromTimeSpan(TimeSpan.FromSeconds(100)) } };
    }

    private static JobEvent Progress(long sequence, double percent, long rows, long rejected) => new()
    {
        Sequence = sequence,
        Progress = new JobProgress
        {
            Percent = percent,
            RowsImported = rows,
            RowsRejected = rejected,
            RowsPerSecond = 1_234_567,
            BytesPerSecond = 987_654_321,
            EstimatedRemaining = Duration.FromTimeSpan(TimeSpan.FromSeconds(12)),
        },
    };

    // CSI sequences (cursor moves, erase line, show/hide cursor) that a live display writes.
    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}
