using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Hostile;

/// <summary>Hostile values in well-formed requests: path traversal against files, SQL injection in
/// every rows and jobs field, regex bombs, token floods. Each gets its status (never data from
/// outside the served root, never a changed database), the server keeps serving and its memory
/// returns to baseline.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileInputTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly string[] Injections =
    [
        "'; DROP TABLE events; --",
        "events; DELETE FROM events",
        "\" OR 1=1 --",
        "id) ; UPDATE events SET id = 0; --",
        "1' OR '1'='1",
        "events\0",
        "$$; TRUNCATE events; $$",
        "pg_sleep(10)",
        "public.events",
        "e\"vents",
    ];

    private static readonly string[] Traversals =
    [
        "../app.log", "../../../../etc/passwd", "/etc/passwd", "a/../../etc/passwd", "..", "./../x",
        "..\\..\\windows\\win.ini", "C:/Windows/win.ini", "app.log\0.png", "%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd", "app.log/..", "", " ", new string('a', 5000),
    ];

    private HostileTestHost _host = null!;
    private long _baseline;
    private string _fingerprint = "";

    public async Task InitializeAsync()
    {
        _host = await HostileTestHost.StartAsync(postgres);
        await _host.AssertServesNormallyAsync();
        _baseline = HostileTestHost.ManagedMemory();
        _fingerprint = await _host.DatabaseFingerprintAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task StreamLines_PathTraversalList_RefusedWithoutOutsideContentOrPaths()
    {
        var client = new FileLines.FileLinesClient(_host.Channel);
        Directory.CreateSymbolicLink(Path.Combine(_host.RootPath, "escape"), "/etc");
        foreach (var path in Traversals.Append("escape/passwd"))
        {
            var failure = await CallFailsAsync(() => client.StreamLines(new StreamLinesRequest { Root = HostileTestHost.Root, Path = path }, cancellationToken: TestTimeout.Token()));
            Assert.True(failure.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.PermissionDenied, $"{path}: {failure.Status}");
            Assert.DoesNotContain(_host.RootPath, failure.Status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", failure.Status.Detail, StringComparison.Ordinal);
        }

        foreach (var root in Traversals.Concat(Injections))
        {
            var failure = await CallFailsAsync(() => client.StreamLines(new StreamLinesRequest { Root = root, Path = "app.log" }, cancellationToken: TestTimeout.Token()));
            Assert.True(failure.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound, $"root {root}: {failure.Status}");
        }

        await AssertUnharmedAsync();
    }

    [Theory]
    [InlineData("(a+)+$")]
    [InlineData("(a|aa)+$")]
    [InlineData("(a*)*b")]
    [InlineData("^(([a-z])+.)+[A-Z]([a-z])+$")]
    public async Task StreamLines_RegexBomb_InvalidArgumentWithinBound(string pattern)
    {
        var client = new FileLines.FileLinesClient(_host.Channel);
        var request = new StreamLinesRequest { Root = HostileTestHost.Root, Path = "bomb.log", Filters = { new LineFilter { Regex = new LineFilter.Types.Regex { Pattern = pattern } } } };

        var started = System.Diagnostics.Stopwatch.StartNew();
        var failure = await CallFailsAsync(() => client.StreamLines(request, cancellationToken: TestTimeout.Token()));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"the bomb held the call for {started.Elapsed}");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task StreamRows_SqlInjectionInEveryField_RefusedOrHarmlessAndNothingChanged()
    {
        var client = new RowsService.RowsServiceClient(_host.Channel);
        foreach (var text in Injections)
        {
            await ExpectAsync(new StreamRowsRequest { Dataset = text }, StatusCode.NotFound, StatusCode.InvalidArgument);
            await ExpectAsync(new StreamRowsRequest { Dataset = "events", Columns = { text } }, StatusCode.InvalidArgument, StatusCode.NotFound);
            await ExpectAsync(new StreamRowsRequest { Dataset = "events", Columns = { "id", text } }, StatusCode.InvalidArgument, StatusCode.NotFound);
            await ExpectAsync(new StreamRowsRequest { Dataset = "events", Filters = { new Filter { Column = text, Operator = FilterOperator.Equal, Values = { new Value { IntValue = 1 } } } } }, StatusCode.InvalidArgument, StatusCode.NotFound);
            await ExpectAsync(new StreamRowsRequest { Dataset = "events", ResumeToken = text }, StatusCode.InvalidArgument);

            // Values are bound as parameters: a text operand is either refused for a non-text column
            // or matched literally (no row holds these strings).
            foreach (var column in new[] { "id", "name", "category", "amount", "created_at" })
            {
                var request = new StreamRowsRequest { Dataset = "events", Limit = 3, Filters = { new Filter { Column = column, Operator = FilterOperator.Equal, Values = { new Value { TextValue = text } } } } };
                var (status, rows) = await RunAsync(request);
                Assert.True(status is StatusCode.OK or StatusCode.InvalidArgument or StatusCode.NotFound, $"{column} = {text}: {status}");
                Assert.Equal(0, rows);
            }

            var like = new StreamRowsRequest { Dataset = "events", Limit = 3, Filters = { new Filter { Column = "name", Operator = FilterOperator.Like, Values = { new Value { TextValue = text } } } } };
            var (likeStatus, likeRows) = await RunAsync(like);
            Assert.True(likeStatus is StatusCode.OK or StatusCode.InvalidArgument or StatusCode.NotFound, $"LIKE {text}: {likeStatus}");
            Assert.Equal(0, likeRows);
        }

        await AssertUnharmedAsync();

        async Task ExpectAsync(StreamRowsRequest request, params StatusCode[] allowed)
        {
            var (status, rows) = await RunAsync(request);
            Assert.True(allowed.Contains(status), $"{request}: {status}");
            Assert.Equal(0, rows);
        }

        async Task<(StatusCode Status, int Rows)> RunAsync(StreamRowsRequest request)
        {
            var rows = 0;
            try
            {
                using var call = client.StreamRows(request, cancellationToken: TestTimeout.Token());
                await foreach (var response in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
                {
                    rows += response.Batch?.Rows.Count ?? 0;
                }

                return (StatusCode.OK, rows);
            }
            catch (RpcException e)
            {
                Assert.DoesNotContain("SELECT", e.Status.Detail, StringComparison.OrdinalIgnoreCase);
                return (e.StatusCode, rows);
            }
        }
    }

    [Fact]
    public async Task Jobs_SqlInjectionInEveryField_RefusedAndNothingChanged()
    {
        var client = new JobsService.JobsServiceClient(_host.Channel);
        foreach (var text in Injections)
        {
            var requests = new[]
            {
                new StartImportRequest { Table = text, Root = HostileTestHost.Root, Path = "app.log", Format = ImportFormat.Csv },
                new StartImportRequest { Table = HostileTestHost.JobsTable, Root = text, Path = "app.log", Format = ImportFormat.Csv },
                new StartImportRequest { Table = HostileTestHost.JobsTable, Root = HostileTestHost.Root, Path = text, Format = ImportFormat.Csv },
            };
            foreach (var request in requests)
            {
                var failure = await CallFailsAsync(() => client.StartImport(request, cancellationToken: TestTimeout.Token()));
                Assert.True(failure.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.PermissionDenied, $"{request}: {failure.Status}");
            }

            var watch = await CallFailsAsync(() => client.Watch(new WatchJobRequest { JobId = text }, cancellationToken: TestTimeout.Token()));
            Assert.True(watch.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound, $"watch {text}: {watch.Status}");
            var cancel = await Assert.ThrowsAsync<RpcException>(() => client.CancelAsync(new CancelJobRequest { JobId = text }, cancellationToken: TestTimeout.Token()).ResponseAsync).Bounded();
            Assert.True(cancel.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound, $"cancel {text}: {cancel.Status}");
        }

        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task StreamCompletion_TokenFlood_RefusedOverLimitAndManyConcurrentCallsComplete()
    {
        var client = new LlmService.LlmServiceClient(_host.Channel);
        var tooMany = await CallFailsAsync(() => client.StreamCompletion(HostileTestHost.EchoRequest("x", uint.MaxValue), cancellationToken: TestTimeout.Token()));
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);

        // A prompt past StreamGrpc:Grpc:MaxReceiveMessageSize (4 MiB) is refused before it is parsed.
        var huge = await CallFailsAsync(() => client.StreamCompletion(HostileTestHost.EchoRequest(new string('w', 5 * 1024 * 1024)), cancellationToken: TestTimeout.Token()));
        Assert.Equal(StatusCode.ResourceExhausted, huge.StatusCode);

        // 500 concurrent calls, each echoing 200 words: every one ends OK or is refused with
        // RESOURCE_EXHAUSTED by a limit; none hangs or fails otherwise.
        var text = string.Join(' ', Enumerable.Range(0, 200).Select(i => "w" + i));
        var calls = Enumerable.Range(0, 500).Select(async index =>
        {
            try
            {
                using var call = client.StreamCompletion(HostileTestHost.EchoRequest(text), cancellationToken: TestTimeout.Token());
                await foreach (var _ in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
                {
                }

                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        });
        var statuses = await Task.WhenAll(calls).Bounded(TimeSpan.FromMinutes(2));
        Assert.All(statuses, s => Assert.True(s is StatusCode.OK or StatusCode.ResourceExhausted, s.ToString()));
        Assert.Contains(StatusCode.OK, statuses);

        await AssertUnharmedAsync();
    }

    private async Task AssertUnharmedAsync()
    {
        await _host.AssertServesNormallyAsync();
        HostileTestHost.AssertMemoryNear(_baseline);
        Assert.Equal(_fingerprint, await _host.DatabaseFingerprintAsync());
    }

    private static async Task<RpcException> CallFailsAsync<T>(Func<AsyncServerStreamingCall<T>> start)
    {
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = start();
            await foreach (var _ in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
            {
            }
        }).Bounded();
    }
}
