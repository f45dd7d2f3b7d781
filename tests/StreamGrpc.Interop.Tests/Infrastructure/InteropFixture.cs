namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The service under test, started once as the README starts it against a throwaway
/// PostgreSQL, and one run of each peer client over every case against it. The grpcio run starts
/// when the fixture starts and the grpc-js run after it, so at a sync point the only streams of
/// the service are those of the peer that asked; every test awaits the run it reports from. The
/// browser-side peers follow on the service's HTTP/1.1 endpoint: the gRPC-Web client, then headless
/// chromium on the status page.</summary>
public sealed class InteropFixture : IAsyncLifetime
{
    /// <summary>How long a query may take to appear in, or leave, pg_stat_activity.</summary>
    private static readonly TimeSpan DatabaseBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private TestDatabase? _database;
    private ServiceProcess? _service;
    private string _applicationName = "";
    private TestDatabase.TableLock? _tableLock;

    /// <summary>The one origin the service lets call it cross-origin (StreamGrpc:Web:AllowedOrigins).</summary>
    internal const string AllowedOrigin = "http://allowed.test:8080";

    /// <summary>The file the status-page case imports: 300,000 people-shaped CSV rows (about 16 MB).</summary>
    private const string WebImportFile = "people-big.csv";
    private const int WebImportRows = 300_000;

    internal Task<PeerRun> PythonRun { get; private set; } = null!;

    internal Task<PeerRun> NodeRun { get; private set; } = null!;

    internal Task<PeerRun> GrpcWebRun { get; private set; } = null!;

    internal Task<PeerRun> StatusPageRun { get; private set; } = null!;

    /// <summary>The service's HTTP/1.1 endpoint, http://127.0.0.1:port.</summary>
    internal string WebUrl => _service!.WebUrl;

    /// <summary>Where the browser peer leaves its screenshot of the page (kept for people to look at).</summary>
    internal static string ScreenshotPath => Path.Combine(RepositoryPaths.Data, "interop-web", "status-page.png");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.StartAsync();
        var filesRoot = Path.Combine(RepositoryPaths.Data, "interop-demo-files");
        await Scripts.RunAsync("demo-files.sh", filesRoot);
        _applicationName = "streamgrpc-interop-" + Guid.NewGuid().ToString("N")[..8];
        var webRoot = Path.Combine(RepositoryPaths.Data, "interop-web-files");
        await WriteWebImportFileAsync(webRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        File.Delete(ScreenshotPath);
        _service = await ServiceProcess.StartAsync(_database.ConnectionStringFor(_applicationName), filesRoot, _applicationName, new Dictionary<string, string>
        {
            ["StreamGrpc__Files__Roots__web"] = webRoot,
            [$"StreamGrpc__Jobs__Tables__{TestDatabase.WebImportTable}__Schema"] = "public",
            [$"StreamGrpc__Jobs__Tables__{TestDatabase.WebImportTable}__Table"] = TestDatabase.WebImportTable,
            ["StreamGrpc__Web__AllowedOrigins__0"] = AllowedOrigin,
        });

        string[] target = ["--address", _service.Address, "--import-table", TestDatabase.ImportTable, "--harness"];
        PythonRun = PeerRun.RunAsync("grpcio", RepositoryPaths.Python, ["interop_client.py", .. target],
            RepositoryPaths.PythonPeers, OnSyncAsync, InteropCases.PeerRunTimeout);
        NodeRun = AfterAsync(PythonRun, () => PeerRun.RunAsync("grpc-js", RepositoryPaths.Node, ["interop_client.js", .. target],
            RepositoryPaths.NodePeers, OnSyncAsync, InteropCases.PeerRunTimeout));
        GrpcWebRun = AfterAsync(NodeRun, () => PeerRun.RunAsync("connect-grpc-web", RepositoryPaths.Node,
            ["grpc_web_client.mjs", "--url", _service.WebUrl, "--harness"], RepositoryPaths.WebPeers, OnSyncAsync, InteropCases.PeerRunTimeout));
        StatusPageRun = AfterAsync(GrpcWebRun, () => PeerRun.RunAsync("chromium-status-page", RepositoryPaths.Node,
            ["status_page_check.mjs", "--url", _service.WebUrl, "--root", "web", "--path", WebImportFile, "--table", TestDatabase.WebImportTable,
             "--screenshot", ScreenshotPath, "--harness"], RepositoryPaths.WebPeers, OnSyncAsync, InteropCases.PeerRunTimeout));
    }

    public async Task DisposeAsync()
    {
        // Let the peer runs finish (each is bounded) before the service goes away under them.
        await Observe(PythonRun);
        await Observe(NodeRun);
        await Observe(GrpcWebRun);
        await Observe(StatusPageRun);
        if (_tableLock is not null)
        {
            await _tableLock.DisposeAsync();
        }

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

            case InteropCases.ImportTableLocked:
                _tableLock = await database.LockWebImportTableAsync(cancellationToken);
                return new SyncCheck("", point, true, $"{TestDatabase.WebImportTable} locked (ACCESS EXCLUSIVE) by an open transaction");

            case InteropCases.ImportTableReleased:
                if (_tableLock is null)
                {
                    return new SyncCheck("", point, false, "the table was not locked");
                }

                await _tableLock.DisposeAsync();
                _tableLock = null;
                return new SyncCheck("", point, true, $"{TestDatabase.WebImportTable} released");

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

    /// <summary>Writes the status-page case's import file unless it is there already, whole.</summary>
    private static async Task WriteWebImportFileAsync(string root)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, WebImportFile);
        var builder = new System.Text.StringBuilder("id,name,email,age,joined\n", 17 * 1024 * 1024);
        for (var i = 1; i <= WebImportRows; i++)
        {
            builder.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{i},Person {i},person{i}@example.com,{18 + (i % 60)},2020-01-{1 + (i % 28):00}\n");
        }

        var text = builder.ToString();
        if (!File.Exists(path) || new FileInfo(path).Length != System.Text.Encoding.UTF8.GetByteCount(text))
        {
            await File.WriteAllTextAsync(path + ".tmp", text);
            File.Move(path + ".tmp", path, overwrite: true);
        }
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
