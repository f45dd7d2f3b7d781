using System.Diagnostics;
using Npgsql;
using Xunit;

namespace StreamService.Tests.Postgres;

/// <summary>A real, throwaway PostgreSQL for the tests of every feature: starts (or reuses) the
/// cluster of <c>scripts/pg.sh</c> under <c>.data/test-pg</c> of the repository and seeds the demo
/// <c>events</c> table. The cluster keeps running after the tests so the next run starts in
/// milliseconds; <c>scripts/pg.sh stop .data/test-pg</c> stops it.</summary>
/// <remarks>Tests use it through <c>[Collection(PostgresCollection.Name)]</c>. It never skips: when
/// PostgreSQL cannot be started the tests fail with the script's output.</remarks>
public sealed class PostgresFixture : IAsyncLifetime
{
    /// <summary>Rows of the seeded <c>events</c> table.</summary>
    public const long EventRows = 1_000_000;

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    private NpgsqlDataSource? _dataSource;

    /// <summary>The repository root (the folder holding StreamGrpc.sln).</summary>
    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Npgsql connection string of the test database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A data source for test set-up and inspection (not the one under test).</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync()
    {
        var dataDir = Path.Combine(RepositoryRoot, ".data", "test-pg");
        var started = await RunScriptAsync("start", dataDir);
        ConnectionString = started.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        await RunScriptAsync("seed", ConnectionString, "events", EventRows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    /// <summary>Runs one SQL statement for test set-up.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).WaitAsync(ScriptTimeout, cancellationToken);
    }

    /// <summary>Runs a query returning one value.</summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken = default)
    {
        await using var command = DataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync(cancellationToken).WaitAsync(ScriptTimeout, cancellationToken);
        return (T)value!;
    }

    /// <summary>How many backends of <paramref name="applicationName"/> are running a query (any
    /// state but idle).</summary>
    public Task<long> ActiveQueriesAsync(string applicationName) => ScalarAsync<long>(
        $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{applicationName}' AND state <> 'idle'");

    /// <summary>How many backends <paramref name="applicationName"/> has, in any state.</summary>
    public Task<long> BackendsAsync(string applicationName) => ScalarAsync<long>(
        $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{applicationName}'");

    /// <summary>Waits until no backend of <paramref name="applicationName"/> runs a query. The service
    /// cancels a query asynchronously once it notices its caller is gone (an RST_STREAM, a closed
    /// HTTP/1.1 connection, a proxy hop); <paramref name="after"/> names what ended, for the failure.</summary>
    public Task WaitUntilNoActiveQueryAsync(string applicationName, string after) =>
        WaitUntilZeroAsync(() => ActiveQueriesAsync(applicationName), $"queries of the service still active 10 s after {after}");

    /// <summary>Polls <paramref name="count"/> every 50 ms until it is 0, for at most 10 s, and fails with
    /// the last count and <paramref name="failure"/>: what PostgreSQL shows of a backend's end lags the
    /// client's action, so a single check would race it.</summary>
    public static async Task WaitUntilZeroAsync(Func<Task<long>> count, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        long last;
        do
        {
            last = await count();
            if (last == 0)
            {
                return;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"{last} {failure}");
    }

    /// <summary>A connection string to the test database with an application name, so a test can
    /// find the backends of the code under test in <c>pg_stat_activity</c>.</summary>
    public string ConnectionStringFor(string applicationName) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString;

    private async Task<string> RunScriptAsync(params string[] args)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        startInfo.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "pg.sh"));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/pg.sh {args[0]} did not finish within {ScriptTimeout}");
        }

        var output = await stdout.WaitAsync(ScriptTimeout);
        var errors = await stderr.WaitAsync(ScriptTimeout);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/pg.sh {args[0]} failed with exit code {process.ExitCode}:\n{errors}\n{output}");
        }

        return output;
    }

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("StreamGrpc.sln not found above " + AppContext.BaseDirectory);
    }
}
