using StreamGrpc.V1;
using StreamService.Files;

namespace StreamService.Tests.Files;

public sealed class LineStageTests : IDisposable
{
    private const string Text = "  Error: disk full  \nok\n\n   \nWARN low memory\nerror: retry\nINFO done\n";

    private readonly FilesTestRoot _root = new();

    public LineStageTests() => _root.Write("a.log", Text);

    public void Dispose() => _root.Dispose();

    private async Task<string[]> Run(params LineFilter[] filters) =>
        (await _root.ReadLinesAsync("a.log", filters)).Select(l => l.Text).ToArray();

    [Fact]
    public async Task Contains_CaseSensitive_KeepsMatchingLines()
    {
        Assert.Equal(["error: retry"], await Run(new LineFilter { Contains = new() { Text = "error" } }));
    }

    [Fact]
    public async Task Contains_IgnoreCase_KeepsMatchingLines()
    {
        Assert.Equal(["  Error: disk full  ", "error: retry"],
            await Run(new LineFilter { Contains = new() { Text = "ERROR", IgnoreCase = true } }));
    }

    [Fact]
    public async Task NotContains_DropsMatchingLines()
    {
        Assert.Equal(["ok", "", "   ", "WARN low memory", "INFO done"],
            await Run(new LineFilter { NotContains = new() { Text = "rror" } }));
    }

    [Fact]
    public async Task Regex_Matches_KeepsMatchingLinesWithNumbers()
    {
        var lines = await _root.ReadLinesAsync("a.log", new LineFilter { Regex = new() { Pattern = @"^(WARN|INFO)\b" } });

        Assert.Equal([("WARN low memory", 5L), ("INFO done", 7L)], lines.Select(l => (l.Text, l.Number)));
    }

    [Fact]
    public async Task Regex_InvertIgnoreCase_DropsMatchingLines()
    {
        Assert.Equal(["ok", "", "   ", "WARN low memory", "INFO done"],
            await Run(new LineFilter { Regex = new() { Pattern = "error", IgnoreCase = true, Invert = true } }));
    }

    [Fact]
    public async Task Regex_CatastrophicPattern_TimesOutInsteadOfHanging()
    {
        using var root = new FilesTestRoot(o => o.RegexMatchTimeout = TimeSpan.FromMilliseconds(20));
        root.Write("a.log", new string('a', 5000) + "!\n");

        await Assert.ThrowsAsync<System.Text.RegularExpressions.RegexMatchTimeoutException>(() =>
            root.ReadLinesAsync("a.log", new LineFilter { Regex = new() { Pattern = "^(a+)+$" } }));
    }

    [Fact]
    public async Task Trim_RemovesSurroundingWhitespace()
    {
        Assert.Equal(["Error: disk full", "ok", "", "", "WARN low memory", "error: retry", "INFO done"],
            await Run(new LineFilter { Trim = new() }));
    }

    [Fact]
    public async Task UpperAndLower_ConvertCase()
    {
        Assert.Equal("OK", (await Run(new LineFilter { Upper = new() }))[1]);
        Assert.Equal("warn low memory", (await Run(new LineFilter { Lower = new() }))[4]);
    }

    [Fact]
    public async Task SkipEmpty_DropsEmptyAndOptionallyBlankLines()
    {
        Assert.Equal(6, (await Run(new LineFilter { SkipEmpty = new() })).Length);
        Assert.Equal(5, (await Run(new LineFilter { SkipEmpty = new() { Whitespace = true } })).Length);
    }

    [Fact]
    public async Task Head_PassesFirstLinesThenEnds()
    {
        Assert.Equal(["  Error: disk full  ", "ok"], await Run(new LineFilter { Head = new() { Count = 2 } }));
    }

    [Fact]
    public async Task Stages_AppliedInOrder()
    {
        // Trim then skip blank then head 2 then upper: order matters for every pair here.
        var result = await Run(
            new LineFilter { Trim = new() },
            new LineFilter { SkipEmpty = new() },
            new LineFilter { Head = new() { Count = 3 } },
            new LineFilter { Contains = new() { Text = "k" } },
            new LineFilter { Upper = new() });

        Assert.Equal(["ERROR: DISK FULL", "OK"], result);
    }

    [Fact]
    public async Task MaxLines_AppliesAfterStages()
    {
        var request = new StreamLinesRequest { Path = "a.log", MaxLines = 1 };
        request.Filters.Add(new LineFilter { Contains = new() { Text = "o" } });

        var lines = await _root.ReadLinesAsync(request);

        Assert.Equal("  Error: disk full  ", Assert.Single(lines).Text);
    }

    [Fact]
    public async Task Head_OnHugeFile_StopsReadingAndClosesFile()
    {
        var path = _root.Write("big.log", string.Concat(Enumerable.Range(0, 200_000).Select(i => $"line {i}\n")));
        var query = _root.Parser.Parse(new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "big.log", Filters = { new LineFilter { Head = new() { Count = 3 } } } });
        var source = await _root.Sources.OpenAsync(query.Root, query.Path, query.Start, false, CancellationToken.None).Within();
        var count = 0;
        await using (var enumerator = query.Pipeline.Apply(source.ReadAsync()).GetAsyncEnumerator())
        {
            while (await enumerator.MoveNextAsync().Within())
            {
                count++;
            }
        }

        await source.DisposeAsync().Within();

        Assert.Equal(3, count);
        Assert.False(OpenFileHandles.IsOpen(path));
    }

    public static TheoryData<LineFilter, string> InvalidFilters => new()
    {
        { new LineFilter(), "no stage" },
        { new LineFilter { Contains = new() }, "must not be empty" },
        { new LineFilter { NotContains = new() { Text = "" } }, "must not be empty" },
        { new LineFilter { Regex = new() { Pattern = "(unclosed" } }, "invalid pattern" },
        { new LineFilter { Regex = new() { Pattern = "[z-a]" } }, "invalid pattern" },
        { new LineFilter { Head = new() { Count = 0 } }, "at least 1" },
        { new LineFilter { Contains = new() { Text = new string('x', 2000) } }, "longer than" },
    };

    [Theory]
    [MemberData(nameof(InvalidFilters))]
    public void Parse_InvalidFilter_InvalidArgumentBeforeAnyRead(LineFilter filter, string expected)
    {
        // The file does not even exist: validation must fail before the file system is touched.
        var request = new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "missing.log" };
        request.Filters.Add(new LineFilter { Trim = new() });
        request.Filters.Add(filter);

        var error = Assert.Throws<FileLinesException>(() => _root.Parser.Parse(request));

        Assert.Equal(FileLinesError.InvalidArgument, error.Error);
        Assert.Contains("Filter 2", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Parse_TooManyStages_InvalidArgument()
    {
        var request = new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "a.log" };
        request.Filters.Add(Enumerable.Range(0, 33).Select(_ => new LineFilter { Trim = new() }));

        Assert.Equal(FileLinesError.InvalidArgument, Assert.Throws<FileLinesException>(() => _root.Parser.Parse(request)).Error);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(0, -1, 0, 0)]
    [InlineData(0, 0, -1, 0)]
    [InlineData(0, 0, 0, -1)]
    public void Parse_NegativeNumbers_InvalidArgument(long startLine, long offset, long lineNumber, long maxLines)
    {
        var request = new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "a.log", MaxLines = maxLines };
        if (startLine != 0)
        {
            request.StartLine = startLine;
        }
        else
        {
            request.StartPosition = new FilePosition { Offset = offset, LineNumber = lineNumber };
        }

        Assert.Equal(FileLinesError.InvalidArgument, Assert.Throws<FileLinesException>(() => _root.Parser.Parse(request)).Error);
    }
}
