using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Hostile;

/// <summary>
/// The real service (in process, so its managed heap is measurable) with every feature pointed at
/// the test PostgreSQL and a temporary file root, plus the three checks every hostile case ends with:
/// the server still answers a normal call, managed memory is back near its baseline, and the
/// database was not changed.
/// </summary>
internal sealed class HostileTestHost : IAsyncDisposable
{
    public const string Root = "hostile";
    public const string JobsTable = "hostile_people";

    /// <summary>Managed heap growth tolerated after a hostile case (the baseline is measured warm).</summary>
    public const long MemoryBound = 48L * 1024 * 1024;

    private readonly StreamServiceHost _host;
    private readonly PostgresFixture _postgres;

    private HostileTestHost(StreamServiceHost host, PostgresFixture postgres, string rootPath)
    {
        _host = host;
        _postgres = postgres;
        RootPath = rootPath;
        Channel = host.CreateChannel();
    }

    public string RootPath { get; }

    public GrpcChannel Channel { get; }

    public Uri Address => _host.Address;

    public static async Task<HostileTestHost> StartAsync(PostgresFixture postgres)
    {
        var root = Path.Combine(Path.GetTempPath(), "streamgrpc-hostile-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        await File.WriteAllLinesAsync(Path.Combine(root, "app.log"), Enumerable.Range(1, 100).Select(i => $"line {i} status=200"));
        await File.WriteAllLinesAsync(Path.Combine(root, "bomb.log"), Enumerable.Repeat(new string('a', 40) + "!", 50));
        await postgres.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {JobsTable} (id bigint, name text)");
        var host = await StreamServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres.ConnectionStringFor("hostile-test"),
            [$"StreamGrpc:Files:Roots:{Root}"] = root,
            [$"StreamGrpc:Jobs:Tables:{JobsTable}:Table"] = JobsTable,
            ["StreamGrpc:Jobs:CreateDemoTable"] = "false",
            ["StreamGrpc:Jobs:InstanceId"] = "hostile-" + Guid.NewGuid().ToString("N")[..8],
            ["StreamGrpc:Auth:Mode"] = "None",
        });
        return new HostileTestHost(host, postgres, root);
    }

    /// <summary>A normal call of every kind still succeeds.</summary>
    public async Task AssertServesNormallyAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeout.Default);
        var rows = new RowsService.RowsServiceClient(Channel);
        using var rowsCall = rows.StreamRows(new StreamRowsRequest { Dataset = "events", Limit = 5 }, cancellationToken: cts.Token);
        var rowCount = 0;
        await foreach (var response in rowsCall.ResponseStream.ReadAllAsync(cts.Token))
        {
            rowCount += response.Batch?.Rows.Count ?? 0;
        }

        Assert.Equal(5, rowCount);

        var files = new FileLines.FileLinesClient(Channel);
        using var filesCall = files.StreamLines(new StreamLinesRequest { Root = Root, Path = "app.log" }, cancellationToken: cts.Token);
        var lineCount = 0;
        await foreach (var batch in filesCall.ResponseStream.ReadAllAsync(cts.Token))
        {
            lineCount += batch.Lines.Count;
        }

        Assert.Equal(100, lineCount);

        var llm = new LlmService.LlmServiceClient(Channel);
        using var llmCall = llm.StreamCompletion(EchoRequest("still up"), cancellationToken: cts.Token);
        var chunks = 0;
        await foreach (var _ in llmCall.ResponseStream.ReadAllAsync(cts.Token))
        {
            chunks++;
        }

        Assert.True(chunks > 0);
    }

    public static CompletionRequest EchoRequest(string text, uint maxTokens = 0) => new()
    {
        Model = "builtin-echo",
        MaxTokens = maxTokens,
        Messages = { new CompletionMessage { Role = CompletionRole.User, Content = text } },
    };

    /// <summary>Managed heap after full collections (the server runs in this process).</summary>
    public static long ManagedMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static void AssertMemoryNear(long baseline)
    {
        var now = ManagedMemory();
        Assert.True(now - baseline < MemoryBound, $"managed memory grew from {baseline:N0} to {now:N0} bytes");
    }

    /// <summary>Row count and content checksum of the events table plus the number of tables: any
    /// write or drop that got through changes it.</summary>
    public Task<string> DatabaseFingerprintAsync() => _postgres.ScalarAsync<string>(
        "SELECT (SELECT count(*) FROM events)::text || ':' || (SELECT coalesce(sum(hashtextextended(e::text, 0)), 0) FROM events e)::text"
        + $" || ':' || (SELECT count(*) FROM pg_tables)::text || ':' || (SELECT count(*) FROM {JobsTable})::text");

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(RootPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
