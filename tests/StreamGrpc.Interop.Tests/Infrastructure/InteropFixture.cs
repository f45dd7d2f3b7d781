namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The service under test, started once as the README starts it against a throwaway
/// PostgreSQL, and one run of each peer client over every case against it. The grpcio run starts
/// when the fixture starts and the grpc-js run after it, so at a sync point the only streams of
/// the service are those of the peer that asked; every test awaits the run it reports from.</summary>
public sealed class InteropFixture : IAsyncLifetime
{
    /// <summary>How long a query may take to appear in, or leave, pg_stat_activity.</summary>
    private static readonly TimeSpan DatabaseBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private TestDatabase? _database;
    private ServiceProcess? _service;
    private string _applicationName = "";

    internal Task<PeerRun> PythonRun { get; private set; } = null!;

    internal Task<PeerRun> NodeRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.StartAsync();
        var filesRoot = Path.Combine(RepositoryPaths.Data, "interop-demo-files");
        await Scripts.RunAsync("demo-files.sh", filesRoot);
        _applicationName = "streamgrpc-interop-" + Guid.NewGuid().ToString("N")[..8];
        _service = await ServiceProcess.StartAsync(_database.ConnectionStringFor(_applicationName), filesRoot, _applicationName);

        string[] target = ["--address", _service.Address, "--import-table", TestDatabase.ImportTable, "--harness"];
        PythonRun = PeerRun.RunAsync("grpcio", RepositoryPaths.Python, ["interop_client.py", .. target],
            RepositoryPaths.PythonPeers, OnSyncAsync, InteropCases.PeerRunTimeout);
        NodeRun = AfterAsync(PythonRun, () => PeerRun.RunAsync("grpc-js", RepositoryPaths.Node, ["interop_client.js", .. target],
            RepositoryPaths.NodePeers, OnSyncAsync, InteropCases.PeerRunTimeout));
    }

    public async Task DisposeAsync()
    {
        // Let the peer runs finish (each is bounded) before the service goes away under them.
        await Observe(PythonRun);
        await Observe(NodeRun);
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>The service's output, for a failure that may be the service's.</summary>
    internal string ServiceOutput => _service?.Output ?? "";

    private async Task<SyncCheck> OnSyncAsync(string point, CancellationToken cancellationToken)
    {
        var database = _database!;
        var started = DateTime.UtcNow;
        switch (point)
        {
            case InteropCases.RowsStreamOpen:
            {
                // The peer holds a row stream open without reading: its query must be running.
                var queries = await PollAsync(q => q.Count > 0, cancellationToken);
                return queries.Count > 0
                    ? new SyncCheck("", point, true, $"PostgreSQL runs the stream's query ({queries[0]})")
                    : new SyncCheck("", point, false, $"no active query on events from the service within {DatabaseBound}");
            }

            case InteropCases.RowsStreamCancelled:
            {
                // The peer cancelled: the query must be gone from pg_stat_activity, not merely finish later.
                var queries = await PollAsync(q => q.Count == 0, cancellationToken);
                var elapsed = (DateTime.UtcNow - started).TotalMilliseconds;
                return queries.Count == 0
                    ? new SyncCheck("", point, true, $"the query left pg_stat_activity within {elapsed:F0} ms of the cancel")
                    : new SyncCheck("", point, false, $"still active {DatabaseBound} after the cancel: {string.Join("; ", queries)}");
            }

            default:
                return new SyncCheck("", point, false, $"unknown sync point '{point}'");
        }
    }

    /// <summary>Reads the service's active queries on events until <paramref name="done"/> holds or
    /// <see cref="DatabaseBound"/> passes; returns the last reading.</summary>
    private async Task<IReadOnlyList<string>> PollAsync(Func<IReadOnlyList<string>, bool> done, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(DatabaseBound);
        using var timer = new PeriodicTimer(PollInterval);
        var queries = await _database!.ActiveEventsQueriesAsync(_applicationName, cancellationToken);
        try
        {
            while (!done(queries) && await timer.WaitForNextTickAsync(bound.Token))
            {
                queries = await _database.ActiveEventsQueriesAsync(_applicationName, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The bound passed: the caller reports the last reading.
        }

        return queries;
    }

    private static async Task<PeerRun> AfterAsync(Task previous, Func<Task<PeerRun>> next)
    {
        await Observe(previous);
        return await next();
    }

    private static async Task Observe(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.WaitAsync(InteropCases.PeerRunTimeout + TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // Reported by the tests that await the run; here only its end matters.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InteropCollection : ICollectionFixture<InteropFixture>
{
    public const string Name = "StreamService and its peer clients";
}
