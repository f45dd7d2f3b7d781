using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Jobs;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.ScaleOut;

/// <summary>
/// Scale-out without Docker: two replicas of the built service (separate processes, distinct Jobs
/// instance ids, one shared PostgreSQL) behind Debian's nginx with <c>grpc_pass</c>, all on loopback.
/// A replica is SIGKILLed in the middle of a call; the typed client resumes through nginx on the
/// other replica and the caller sees every item exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ScaleOutTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string StreamRowsPath = "/streamgrpc.v1.RowsService/StreamRows";
    private const string StartImportPath = "/streamgrpc.v1.JobsService/StartImport";
    private const string WatchPath = "/streamgrpc.v1.JobsService/Watch";
    private const string Table = "scaleout_people";
    private const long ImportRows = 20_000;

    private readonly string _root = JobsTestData.NewRoot();
    private readonly List<ServiceReplica> _replicas = [];
    private NginxGrpcProxy? _proxy;

    private NginxGrpcProxy Proxy => _proxy!;

    public async Task InitializeAsync()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, Table, blocking: true);
        JobsTestData.WritePeopleCsv(Path.Combine(_root, "people.csv"), ImportRows);
        try
        {
            // Instance ids unique per run: a replica left over by an aborted run must never look
            // like an earlier incarnation of these (it would fail their jobs as "restarted").
            var run = Guid.NewGuid().ToString("N")[..6];
            foreach (var name in new[] { "scaleout-a-" + run, "scaleout-b-" + run })
            {
                _replicas.Add(await ServiceReplica.StartAsync(name, postgres.RepositoryRoot, ReplicaEnvironment(name)));
            }

            _proxy = await NginxGrpcProxy.StartAsync(postgres.RepositoryRoot, _replicas.Select(r => r.Address).ToList());
            await WaitUntilServingAsync();
        }
        catch
        {
            // xunit does not call DisposeAsync when InitializeAsync fails: do not leak the processes.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        JobsTestData.DeleteRoot(_root);
    }

    [Fact]
    public async Task StreamRows_ServingReplicaKilledMidStream_ClientFinishesOnOtherReplicaWithNothingLostOrRepeated()
    {
        using var client = NewClient(out var resumes);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ids = new List<long>((int)PostgresFixture.EventRows);
        ServiceReplica? killed = null;

        await foreach (var row in client.StreamRowsAsync(new RowsQuery("events") { BatchSize = 200 }, new StreamCallOptions { CancellationToken = cts.Token }).WithCancellation(cts.Token))
        {
            ids.Add(Convert.ToInt64(row["id"], System.Globalization.CultureInfo.InvariantCulture));
            if (ids.Count == 1_000)
            {
                killed = await ServingReplicaAsync(StreamRowsPath);
                await killed.KillAsync();
            }
        }

        Assert.NotNull(killed);
        var survivor = _replicas.Single(r => r != killed);
        Assert.True(resumes.Count > 0, "the stream never failed over; the killed replica had already sent everything\n" + Proxy.Diagnostics());
        Assert.True(survivor.Requests(StreamRowsPath) > 0, "the resumed stream did not reach the surviving replica\n" + survivor.Output);
        Assert.Equal(PostgresFixture.EventRows, ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] != i + 1)
            {
                Assert.Fail($"row {i} has id {ids[i]}, expected {i + 1} (lost or repeated rows around the fail-over)");
            }
        }
    }

    [Fact]
    public async Task WatchJob_WatchingReplicaKilledMidJob_ClientFinishesOnOtherReplicaWithEveryEventOnce()
    {
        using var client = NewClient(out var resumes);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var call = new StreamCallOptions { CancellationToken = cts.Token };
        var blockLock = await JobsTestData.HoldBlockLockAsync(postgres);
        try
        {
            // Start the import through the proxy; the replica that served StartImport owns the job.
            var request = new StartImportRequest { Root = "imports", Path = "people.csv", Format = ImportFormat.Csv, Table = Table, Csv = new ImportCsvOptions { Header = true } };
            string jobId;
            await using (var start = client.StartImportAsync(request, call).GetAsyncEnumerator(cts.Token))
            {
                Assert.True(await start.MoveNextAsync().AsTask().Bounded());
                jobId = start.Current.JobId;
            }

            var owner = await ServingReplicaAsync(StartImportPath);

            // Open watches through the proxy until one lands on the other replica (round robin).
            var events = new List<JobEvent>();
            IAsyncEnumerator<JobEvent>? watch = null;
            ServiceReplica? watching = null;
            for (var attempt = 0; attempt < 4 && watching is null; attempt++)
            {
                var before = _replicas.ToDictionary(r => r, r => r.Requests(WatchPath));
                watch = client.WatchJobAsync(jobId, 0, call).GetAsyncEnumerator(cts.Token);
                Assert.True(await watch.MoveNextAsync().AsTask().Bounded());
                var served = await FirstNewLogAsync(before, WatchPath);
                if (served == owner)
                {
                    await watch.DisposeAsync();
                    continue;
                }

                watching = served;
                events.Add(watch.Current);
            }

            Assert.NotNull(watching);

            // Read until the job is visibly mid-import (blocked at row BlockAtId), then kill the watcher's replica.
            while (events[^1].Progress is not { RowsImported: > 0 })
            {
                Assert.True(await watch!.MoveNextAsync().AsTask().Bounded(), "the watch ended before the import was under way: " + string.Join("\n", events));
                events.Add(watch.Current);
            }

            var ownerWatchesBeforeKill = owner.Requests(WatchPath);
            await watching!.KillAsync();
            await blockLock.DisposeAsync();

            while (await watch!.MoveNextAsync().AsTask().Bounded(TimeSpan.FromMinutes(2)))
            {
                events.Add(watch.Current);
            }

            await watch.DisposeAsync();

            Assert.True(resumes.Count > 0, "the watch never failed over");
            Assert.True(owner.Requests(WatchPath) > ownerWatchesBeforeKill, "the resumed watch did not reach the surviving replica");
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
            Assert.All(events, e => Assert.Equal(jobId, e.JobId));
            Assert.Equal(JobEvent.KindOneofCase.Started, events[0].KindCase);
            var completed = events[^1].Completed;
            Assert.NotNull(completed);
            Assert.Equal(ImportRows, completed.RowsImported);
            Assert.Equal(ImportRows, await postgres.ScalarAsync<long>($"SELECT count(*) FROM {Table}"));
        }
        finally
        {
            await blockLock.DisposeAsync();
        }
    }

    [Fact]
    public async Task HealthProbeMode_ThroughProxy_ExitsZeroWhileAReplicaServes()
    {
        Assert.Equal(0, await RunHealthProbeAsync(Proxy.Address));
        await _replicas[0].KillAsync();
        Assert.Equal(0, await RunHealthProbeAsync(Proxy.Address));
        await _replicas[1].KillAsync();
        Assert.Equal(1, await RunHealthProbeAsync(Proxy.Address));
    }

    private Dictionary<string, string> ReplicaEnvironment(string name) => new()
    {
        ["ConnectionStrings__Postgres"] = postgres.ConnectionStringFor(name),
        ["StreamGrpc__Jobs__InstanceId"] = name,
        ["StreamGrpc__Jobs__CreateDemoTable"] = "false",
        ["StreamGrpc__Jobs__ProgressInterval"] = "00:00:00.050",
        ["StreamGrpc__Jobs__HeartbeatInterval"] = "00:00:02",
        [$"StreamGrpc__Jobs__Tables__{Table}__Table"] = Table,
        ["StreamGrpc__Files__Roots__imports"] = _root,
        ["StreamGrpc__Auth__Mode"] = "None",
    };

    private StreamGrpcClient NewClient(out List<RpcException> resumes)
    {
        var client = new StreamGrpcClient(new StreamGrpcClientOptions
        {
            Address = Proxy.Address,
            Resume = new ResumePolicy { MaxAttempts = 10, InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromSeconds(1) },
        });
        var seen = new List<RpcException>();
        client.Resuming += (failure, _, _) =>
        {
            lock (seen)
            {
                seen.Add(failure);
            }
        };
        resumes = seen;
        return client;
    }

    /// <summary>The replica whose request log shows a call to <paramref name="path"/> (exactly one must).</summary>
    private async Task<ServiceReplica> ServingReplicaAsync(string path)
    {
        await Task.WhenAny(_replicas.Select(r => r.WaitForRequestsAsync(path, 1))).Bounded();
        return _replicas.Single(r => r.Requests(path) > 0);
    }

    /// <summary>The replica that logs the next request for <paramref name="path"/> after the counts in <paramref name="before"/>.</summary>
    private async Task<ServiceReplica> FirstNewLogAsync(Dictionary<ServiceReplica, int> before, string path)
    {
        var waits = _replicas.ToDictionary(r => (Task)r.WaitForRequestsAsync(path, before[r] + 1), r => r);
        return waits[await Task.WhenAny(waits.Keys).Bounded()];
    }

    private async Task WaitUntilServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(Proxy.Address);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + TestTimeout.Default;
        for (var ready = 0; ready < 2;)
        {
            try
            {
                var response = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync.Bounded();
                ready = response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? ready + 1 : 0;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline && !Proxy.HasExited)
            {
                // nginx not listening yet.
                ready = 0;
                await Task.Delay(50);
            }
            catch (RpcException e)
            {
                throw new InvalidOperationException("the proxy never became healthy: " + e.Status + "\n" + Proxy.Diagnostics() + string.Concat(_replicas.Select(r => "\n--- " + r.Name + "\n" + r.Output)));
            }
        }
    }

    private async Task<int> RunHealthProbeAsync(Uri address)
    {
        var startInfo = ServiceProcess.StartInfo(postgres.RepositoryRoot, ["--health-probe", address.ToString()]);
        startInfo.RedirectStandardOutput = true;
        using var process = System.Diagnostics.Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().Bounded();
        _ = await output.Bounded();
        return process.ExitCode;
    }
}
