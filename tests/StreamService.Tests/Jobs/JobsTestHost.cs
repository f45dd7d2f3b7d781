using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Jobs;

/// <summary>A real StreamService on Kestrel with the jobs feature pointed at the test PostgreSQL,
/// a temporary file root "imports" and the import targets the tests create. Watchers only poll
/// once a minute here, so tests that see live events prove the LISTEN/NOTIFY path.</summary>
internal sealed class JobsTestHost : IAsyncDisposable
{
    private readonly StreamServiceHost _host;
    private readonly GrpcChannel _channel;

    private JobsTestHost(StreamServiceHost host, string instanceId)
    {
        _host = host;
        InstanceId = instanceId;
        _channel = host.CreateChannel();
        Client = new JobsService.JobsServiceClient(_channel);
    }

    public string InstanceId { get; }

    public JobsService.JobsServiceClient Client { get; }

    public GrpcChannel Channel => _channel;

    public Uri Address => _host.Address;

    public static async Task<JobsTestHost> StartAsync(PostgresFixture postgres, string root, string? instanceId = null, IDictionary<string, string?>? overrides = null)
    {
        instanceId ??= "jobs-test-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres.ConnectionStringFor("jobs-test"),
            ["StreamGrpc:Files:Roots:imports"] = root,
            ["StreamGrpc:Jobs:InstanceId"] = instanceId,
            ["StreamGrpc:Jobs:CreateDemoTable"] = "false",
            ["StreamGrpc:Jobs:ProgressInterval"] = "00:00:00.050",
            ["StreamGrpc:Jobs:WatchPollInterval"] = "00:01:00",
            ["StreamGrpc:Jobs:HeartbeatInterval"] = "00:00:02",
            ["StreamGrpc:Jobs:OrphanTimeout"] = "00:01:00",
        };
        foreach (var table in JobsTestData.Tables)
        {
            settings[$"StreamGrpc:Jobs:Tables:{table}:Table"] = table;
        }

        settings["StreamGrpc:Jobs:Tables:missing:Table"] = "jobs_no_such_table";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new JobsTestHost(await StreamServiceHost.StartAsync(settings), instanceId);
    }

    /// <summary>Reads events until the job's final event (or <paramref name="until"/> says stop).</summary>
    public static async Task<List<JobEvent>> CollectAsync(AsyncServerStreamingCall<JobEvent> call, Func<JobEvent, bool>? until = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeout.Default);
        var events = new List<JobEvent>();
        try
        {
            await foreach (var jobEvent in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                events.Add(jobEvent);
                if (until?.Invoke(jobEvent) == true)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (cts.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            throw new TimeoutException($"no final event within {timeout ?? TestTimeout.Default}; got {events.Count} events, last: {events.LastOrDefault()}");
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }
}
