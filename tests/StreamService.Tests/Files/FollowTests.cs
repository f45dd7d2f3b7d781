using StreamGrpc.V1;
using StreamService.Files;

namespace StreamService.Tests.Files;

/// <summary>Follow mode. The fallback poll is set to an hour, so every wake-up here comes from a
/// change notification: these tests would time out if follow relied on polling.</summary>
public sealed class FollowTests : IDisposable
{
    private readonly FilesTestRoot _root = new(o => o.FollowPollInterval = TimeSpan.FromHours(1));

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Follow_Appends_StreamsEachLineAsItLands()
    {
        var path = _root.Write("app.log", "a\n");
        await using var session = await FollowSession.StartAsync(_root, "app.log");
        Assert.Equal("a", Assert.Single(await session.UntilIdleAsync()).Text);

        FilesTestRoot.Append(path, "b\n");
        var b = await session.NextEventAsync();
        FilesTestRoot.Append(path, "c\r\nd\n");
        var c = await session.NextEventAsync();
        var d = await session.NextEventAsync();

        Assert.Equal([("b", 2L, 2L), ("c", 3L, 4L), ("d", 4L, 7L)], new[] { b, c, d }.Select(l => (l.Text, l.Number, l.Offset)));
    }

    [Fact]
    public async Task Follow_PartialLine_HeldUntilTerminated()
    {
        var path = _root.Write("app.log", "");
        await using var session = await FollowSession.StartAsync(_root, "app.log");
        Assert.Empty(await session.UntilIdleAsync());

        FilesTestRoot.Append(path, "par");
        // The source wakes, sees an unterminated line and goes idle again without emitting it.
        Assert.Empty(await session.UntilIdleAsync());
        FilesTestRoot.Append(path, "tial\n");

        var line = await session.NextEventAsync();
        Assert.Equal(("partial", 1L, 0L), (line.Text, line.Number, line.Offset));
    }

    [Fact]
    public async Task Follow_WithFilters_OnlyMatchingAppendsArrive()
    {
        var path = _root.Write("app.log", "");
        await using var session = await FollowSession.StartAsync(_root, "app.log", new LineFilter { Contains = new() { Text = "ERROR" } }, new LineFilter { Lower = new() });
        Assert.Empty(await session.UntilIdleAsync());

        FilesTestRoot.Append(path, "INFO fine\nERROR bad\n");

        var line = await session.NextEventAsync();
        Assert.Equal(("error bad", 2L), (line.Text, line.Number));
    }

    [Fact]
    public async Task Follow_Truncation_RestartsFromLineOne()
    {
        var path = _root.Write("app.log", "l1\nl2\nl3\n");
        await using var session = await FollowSession.StartAsync(_root, "app.log");
        Assert.Equal(3, (await session.UntilIdleAsync()).Count);

        File.WriteAllText(path, "n1\n"); // truncates, then writes less than was there

        var reset = await session.NextEventAsync();
        var line = await session.NextEventAsync();
        Assert.Equal(LineItemKind.Truncated, reset.Kind);
        Assert.Equal(("n1", 1L, 0L), (line.Text, line.Number, line.Offset));
    }

    [Fact]
    public async Task Follow_RotationByRename_FinishesOldFileThenFollowsNewOne()
    {
        var path = _root.Write("app.log", "a1\n");
        await using var session = await FollowSession.StartAsync(_root, "app.log");
        Assert.Single(await session.UntilIdleAsync());

        FilesTestRoot.Append(path, "a2\na3-unterminated");
        File.Move(path, path + ".1");
        File.WriteAllText(path, "b1\n");

        var events = new List<LineItem>();
        while (events.Count < 4)
        {
            events.Add(await session.NextEventAsync());
        }

        Assert.Equal(
            [(LineItemKind.Line, "a2", 2L), (LineItemKind.Line, "a3-unterminated", 3L), (LineItemKind.Replaced, "", 1L), (LineItemKind.Line, "b1", 1L)],
            events.Select(e => (e.Kind, e.Text, e.Number)));
        Assert.False(OpenFileHandles.IsOpen(path + ".1"));
    }

    [Fact]
    public async Task Follow_ReplacedByRenameOver_FollowsNewFile()
    {
        var path = _root.Write("app.log", "old\n");
        await using var session = await FollowSession.StartAsync(_root, "app.log");
        Assert.Single(await session.UntilIdleAsync());

        var replacement = _root.Write("app.log.tmp", "new1\nnew2\n");
        File.Move(replacement, path, overwrite: true);

        Assert.Equal(LineItemKind.Replaced, (await session.NextEventAsync()).Kind);
        Assert.Equal("new1", (await session.NextEventAsync()).Text);
        Assert.Equal("new2", (await session.NextEventAsync()).Text);
    }

    [Fact]
    public async Task Follow_DeletedThenRecreated_FollowsNewFile()
    {
        var path = _root.Write("app.log", "old\n");
        await using var session = await FollowSession.StartAsync(_root, "app.log");
        Assert.Single(await session.UntilIdleAsync());

        File.Delete(path);
        // Gone: the old handle is kept (tail -F waits for the name to reappear).
        Assert.Empty(await session.UntilIdleAsync());
        File.WriteAllText(path, "again\n");

        Assert.Equal(LineItemKind.Replaced, (await session.NextEventAsync()).Kind);
        Assert.Equal(("again", 1L), ((await session.NextEventAsync()).Text, 1L));
    }

    [Fact]
    public async Task Follow_Cancelled_EndsPromptlyAndClosesTheFile()
    {
        var path = _root.Write("app.log", "a\n");
        var session = await FollowSession.StartAsync(_root, "app.log");
        Assert.Single(await session.UntilIdleAsync());
        var waiting = session.NextAsync(); // parked waiting for a change
        Assert.True(OpenFileHandles.IsOpen(path));

        await session.Cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await session.DisposeAsync().Within();
        Assert.False(OpenFileHandles.IsOpen(path));
        Assert.Equal(0, _root.Notifier.WatchedDirectoryCount);
    }

    [Fact]
    public async Task Follow_WithoutChangeNotifications_FallbackPollStillDeliversAppendsAndRotation()
    {
        using var root = new FilesTestRoot(o => o.FollowPollInterval = TimeSpan.FromMilliseconds(50), useWatchers: false);
        var path = root.Write("app.log", "a\n");
        await using var session = await FollowSession.StartAsync(root, "app.log");
        Assert.Single(await session.UntilIdleAsync());

        FilesTestRoot.Append(path, "b\n");
        Assert.Equal("b", (await session.NextEventAsync()).Text);
        File.Move(path, path + ".1");
        File.WriteAllText(path, "c\n");
        Assert.Equal(LineItemKind.Replaced, (await session.NextEventAsync()).Kind);
        Assert.Equal("c", (await session.NextEventAsync()).Text);
    }

    [Fact]
    public async Task Follow_TwoStreamsInOneDirectory_ShareOneWatcher()
    {
        var first = _root.Write("one.log", "");
        _root.Write("two.log", "");
        await using var one = await FollowSession.StartAsync(_root, "one.log");
        await using var two = await FollowSession.StartAsync(_root, "two.log");
        Assert.Empty(await one.UntilIdleAsync());
        Assert.Empty(await two.UntilIdleAsync());
        var twoWaiting = two.NextAsync();

        Assert.Equal(1, _root.Notifier.WatchedDirectoryCount);
        FilesTestRoot.Append(first, "x\n");
        Assert.Equal("x", (await one.NextEventAsync()).Text);
        Assert.False(twoWaiting.IsCompleted);
    }
}
