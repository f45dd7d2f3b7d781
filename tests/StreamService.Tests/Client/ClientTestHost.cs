using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Jobs;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Client;

/// <summary>The whole StreamService (rows, files, jobs, llm) for the typed client and the CLI: rows
/// against the test PostgreSQL under an application name of its own, a temporary file root "t",
/// import targets <see cref="PeopleTable"/> and <see cref="BlockedTable"/>. A fixed port lets a test
/// stop the service and start a new one where the client expects it.</summary>
internal sealed class ClientTestHost : IAsyncDisposable
{
    public const string RootName = "t";
    public const string PeopleTable = "client_people";
    public const string BlockedTable = "client_blocked";

    /// <summary>Advisory lock the <see cref="BlockedTable"/> trigger waits on at id <see cref="JobsTestData.BlockAtId"/>
    /// (the jobs tests' key, so their lock helpers apply; the postgres collection runs one test at a time).</summary>
    public const long BlockLockKey = JobsTestData.BlockLockKey;

    private readonly StreamServiceHost _host;

    private ClientTestHost(StreamServiceHost host, CapturingLoggerProvider logs)
    {
        _host = host;
        Logs = logs;
    }

    public Uri Address => _host.Address;

    public int Port => _host.Address.Port;

    /// <summary>Everything the service logged (Information and above).</summary>
    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _host.Services;

    public static Dictionary<string, string?> Settings(PostgresFixture postgres, string applicationName, string fileRoot, string instanceId)
    {
        var settings = RowsHarness.Configuration(postgres.ConnectionStringFor(applicationName));
        settings["StreamGrpc:Files:Roots:" + RootName] = fileRoot;
        settings["StreamGrpc:Files:FollowPollInterval"] = "00:00:00.100";
        settings["StreamGrpc:Jobs:InstanceId"] = instanceId;
        settings["StreamGrpc:Jobs:CreateDemoTable"] = "false";
        settings["StreamGrpc:Jobs:ProgressInterval"] = "00:00:00.050";
        settings["StreamGrpc:Jobs:WatchPollInterval"] = "00:00:00.500";
        settings["StreamGrpc:Jobs:Tables:" + PeopleTable + ":Table"] = PeopleTable;
        settings["StreamGrpc:Jobs:Tables:" + BlockedTable + ":Table"] = BlockedTable;

        // A restart in these tests ends running streams at once (UNAVAILABLE with their resume
        // point), rather than letting them run on through the drain window.
        settings["StreamGrpc:Drain:Timeout"] = "00:00:00";
        return settings;
    }

    /// <summary>Starts the service on <paramref name="port"/> (0 = any free port). Shutdown gives
    /// open streams one second, then aborts their connections, as an orchestrator's kill would.</summary>
    public static async Task<ClientTestHost> StartAsync(IDictionary<string, string?> settings, int port = 0)
    {
        var logs = new CapturingLoggerProvider();
        var host = await StreamServiceHost.StartAsync(settings, builder =>
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        });
        return new ClientTestHost(host, logs);
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>(Re)creates the import targets; <see cref="BlockedTable"/> waits on <see cref="BlockLockKey"/> at id 5000.</summary>
    public static async Task CreateTablesAsync(PostgresFixture postgres)
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, PeopleTable);
        await JobsTestData.CreatePeopleTableAsync(postgres, BlockedTable);
        await postgres.ExecuteAsync($"""
            CREATE OR REPLACE FUNCTION client_test_block() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.id = {JobsTestData.BlockAtId} THEN
                    PERFORM pg_advisory_xact_lock_shared({BlockLockKey});
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER client_test_block BEFORE INSERT ON {BlockedTable} FOR EACH ROW EXECUTE FUNCTION client_test_block();
            """);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
