using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Files;

/// <summary>End to end: the real service on Kestrel (127.0.0.1, ephemeral port), called through the
/// generated client over HTTP/2.</summary>
public sealed class FilesServiceTests : IAsyncLifetime
{
    private readonly FilesTestRoot _root = new();
    private StreamServiceHost _host = null!;
    private GrpcChannel _channel = null!;
    private FileLines.FileLinesClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StreamServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["StreamGrpc:Files:Roots:t"] = _root.RootDirectory,
            ["StreamGrpc:Files:MaxBatchLines"] = "100",
            ["StreamGrpc:Files:FollowPollInterval"] = "01:00:00",
        });
        _channel = _host.CreateChannel();
        _client = new FileLines.FileLinesClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
        _root.Dispose();
    }

    private async Task<List<LineBatch>> CallAsync(StreamLinesRequest request, int take = int.MaxValue)
    {
        request.Root = string.IsNullOrEmpty(request.Root) ? FilesTestRoot.RootName : request.Root;
        using var call = _client.StreamLines(request, deadline: DateTime.UtcNow.AddSeconds(30));
        var batches = new List<LineBatch>();
        while (batches.Count < take && await call.ResponseStream.MoveNext(CancellationToken.None).Within())
        {
            batches.Add(call.ResponseStream.Current);
        }

        return batches;
    }

    private async Task<RpcException> FailAsync(StreamLinesRequest request) =>
        await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

    [Fact]
    public async Task StreamLines_DemoRoot_StreamsShippedSampleLog()
    {
        var batches = await CallAsync(new StreamLinesRequest { Root = "demo", Path = "sample.log" });
        var gzipped = await CallAsync(new StreamLinesRequest { Root = "demo", Path = "sample.log.gz" });

        var lines = batches.SelectMany(b => b.Lines).ToList();
        Assert.Equal(400, lines.Count);
        Assert.Equal(lines, gzipped.SelectMany(b => b.Lines));
    }

    [Fact]
    public async Task StreamLines_LargeFile_AllLinesInBatchesWithResumePoints()
    {
        var builder = new StringBuilder();
        for (var i = 1; i <= 50_000; i++)
        {
            builder.Append("line ").Append(i).Append('\n');
        }

        _root.Write("big.log", builder.ToString());

        var batches = await CallAsync(new StreamLinesRequest { Path = "big.log" });

        Assert.Equal(500, batches.Count);
        Assert.All(batches, b => Assert.Equal(100, b.Lines.Count));
        Assert.Equal(Enumerable.Range(1, 50_000).Select(i => (long)i), batches.SelectMany(b => b.Lines).Select(l => l.LineNumber));
        Assert.Equal(new FilePosition { Offset = Encoding.UTF8.GetByteCount(builder.ToString()), LineNumber = 50_001 }, batches[^1].Next);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamLines_MixedValidAndInvalidUtf8_SameLinesAsTheDecodingPath(bool withStages)
    {
        // Lines of valid UTF-8 reach the wire as bytes, the rest decoded with U+FFFD: the caller
        // must see exactly the lines the string-decoding path gives, stages or not.
        var bytes = new List<byte>([0xEF, 0xBB, 0xBF]);
        for (var i = 0; i < 3000; i++)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes($"line {i} caf\u00E9 \u4E2D\U0001F680 "));
            if (i % 7 == 0)
            {
                bytes.AddRange([0xFF, 0xC3]); // invalid
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(i % 11 == 0 ? "\r\n\n" : "\n"));
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(new string('\u20AC', 30_000))); // 90,000 bytes: cut at 64 KiB, unterminated
        _root.Write("mixed.log", bytes.ToArray());
        var request = new StreamLinesRequest { Path = "mixed.log" };
        if (withStages)
        {
            request.Filters.Add(new LineFilter { SkipEmpty = new() });
            request.Filters.Add(new LineFilter { NotContains = new() { Text = "line 5" } });
        }

        var expected = await _root.ReadLinesAsync(request.Clone(), lendUtf8: false);

        var lines = (await CallAsync(request)).SelectMany(b => b.Lines).ToList();

        Assert.Equal(expected.Count, lines.Count);
        Assert.Contains(expected, l => l.Text.Contains('\uFFFD', StringComparison.Ordinal));
        Assert.True(expected[^1].Truncated);
        Assert.Equal(
            expected.Select(l => new FileLine { LineNumber = l.Number, Offset = l.Offset, Text = l.Text, Truncated = l.Truncated }),
            lines);
    }

    [Fact]
    public async Task StreamLines_FiltersAndMaxLines_AppliedServerSide()
    {
        _root.Write("a.log", "INFO a\nERROR b\n  ERROR c  \nERROR d\n");
        var request = new StreamLinesRequest { Path = "a.log", MaxLines = 2 };
        request.Filters.Add(new LineFilter { Regex = new() { Pattern = "error", IgnoreCase = true } });
        request.Filters.Add(new LineFilter { Trim = new() });
        request.Filters.Add(new LineFilter { Lower = new() });

        var lines = (await CallAsync(request)).SelectMany(b => b.Lines).ToList();

        Assert.Equal([("error b", 2L), ("error c", 3L)], lines.Select(l => (l.Text, l.LineNumber)));
    }

    [Fact]
    public async Task StreamLines_ResumeFromNext_NoGapNoDuplicate()
    {
        _root.Write("a.log", string.Concat(Enumerable.Range(1, 1000).Select(i => $"row {i}\r\n")));
        var all = (await CallAsync(new StreamLinesRequest { Path = "a.log" })).SelectMany(b => b.Lines).ToList();

        var first = await CallAsync(new StreamLinesRequest { Path = "a.log" }, take: 3);
        var rest = await CallAsync(new StreamLinesRequest { Path = "a.log", StartPosition = first[^1].Next });

        Assert.Equal(all, first.Concat(rest).SelectMany(b => b.Lines));
    }

    [Theory]
    [InlineData("../outside/secret.txt", StatusCode.InvalidArgument)]
    [InlineData("/etc/passwd", StatusCode.InvalidArgument)]
    [InlineData("escape/secret.txt", StatusCode.PermissionDenied)]
    [InlineData("link.txt", StatusCode.PermissionDenied)]
    [InlineData("missing.log", StatusCode.NotFound)]
    [InlineData("dir", StatusCode.InvalidArgument)]
    public async Task StreamLines_RefusedPath_StatusWithoutServerPaths(string path, StatusCode expected)
    {
        var secret = Path.Combine(_root.OutsideDirectory, "secret.txt");
        File.WriteAllText(secret, "s\n");
        Directory.CreateSymbolicLink(_root.PathOf("escape"), _root.OutsideDirectory);
        File.CreateSymbolicLink(_root.PathOf("link.txt"), secret);
        Directory.CreateDirectory(_root.PathOf("dir"));

        var error = await FailAsync(new StreamLinesRequest { Path = path });

        Assert.Equal(expected, error.StatusCode);
        Assert.DoesNotContain(_root.BaseDirectory, error.Status.Detail);
    }

    [Fact]
    public async Task StreamLines_UnknownRoot_NotFound()
    {
        Assert.Equal(StatusCode.NotFound, (await FailAsync(new StreamLinesRequest { Root = "nope", Path = "a.log" })).StatusCode);
    }

    [Fact]
    public async Task StreamLines_UnknownStageOnMissingFile_InvalidArgumentBeforeOpening()
    {
        var request = new StreamLinesRequest { Path = "missing.log" };
        request.Filters.Add(new LineFilter());

        var error = await FailAsync(request);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Filter 1", error.Status.Detail);
    }

    [Fact]
    public async Task StreamLines_BadRegex_InvalidArgument()
    {
        _root.Write("a.log", "x\n");
        var request = new StreamLinesRequest { Path = "a.log" };
        request.Filters.Add(new LineFilter { Regex = new() { Pattern = "(" } });

        Assert.Equal(StatusCode.InvalidArgument, (await FailAsync(request)).StatusCode);
    }

    [Fact]
    public async Task StreamLines_OffsetPastEnd_OutOfRange()
    {
        _root.Write("a.log", "x\n");

        var error = await FailAsync(new StreamLinesRequest { Path = "a.log", StartPosition = new FilePosition { Offset = 99 } });

        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
    }

    [Fact]
    public async Task StreamLines_FollowAppendsThenCancel_LinesArriveAndServerClosesFile()
    {
        var path = _root.Write("app.log", "first\n");
        using var cancel = new CancellationTokenSource();
        using var call = _client.StreamLines(new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "app.log", Follow = true }, cancellationToken: cancel.Token);

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Within());
        Assert.Equal("first", Assert.Single(call.ResponseStream.Current.Lines).Text);
        FilesTestRoot.Append(path, "second\n");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Within());
        Assert.Equal(("second", 2L), (call.ResponseStream.Current.Lines[0].Text, call.ResponseStream.Current.Lines[0].LineNumber));
        Assert.True(OpenFileHandles.IsOpen(path));

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).Within());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await Bounded.Until(() => !OpenFileHandles.IsOpen(path), "the server closed the followed file");
    }

    [Fact]
    public async Task StreamLines_FollowPastDeadline_DeadlineExceededAndFileClosed()
    {
        var path = _root.Write("app.log", "first\n");
        using var call = _client.StreamLines(new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "app.log", Follow = true }, deadline: DateTime.UtcNow.AddMilliseconds(500));

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Within());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).Within());

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await Bounded.Until(() => !OpenFileHandles.IsOpen(path), "the server closed the followed file");
    }

    [Fact]
    public async Task StreamLines_FollowRotation_ResetBatchThenNewFile()
    {
        var path = _root.Write("app.log", "old\n");
        using var cancel = new CancellationTokenSource();
        using var call = _client.StreamLines(new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "app.log", Follow = true }, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Within());

        File.Move(path, path + ".1");
        File.WriteAllText(path, "new\n");

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Within());
        Assert.Equal(FileReset.Replaced, call.ResponseStream.Current.Reset);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Within());
        Assert.Equal(("new", 1L, 0L), (call.ResponseStream.Current.Lines[0].Text, call.ResponseStream.Current.Lines[0].LineNumber, call.ResponseStream.Current.Lines[0].Offset));
        await cancel.CancelAsync();
    }
}
