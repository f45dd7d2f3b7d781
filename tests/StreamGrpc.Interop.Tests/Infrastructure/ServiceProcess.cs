using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The built StreamService started as the README starts it (run.sh): the Release binary
/// with <c>--contentRoot src/StreamService</c>, authentication off, the 16 MiB gen0 budget, a
/// throwaway PostgreSQL and the demo files as root <c>demo</c> — plus a free loopback port, an
/// application name for its database sessions, and an import target of its own for the jobs case.
/// Ready when grpc.health.v1 answers SERVING.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ChildProcess _process;

    private ServiceProcess(ChildProcess process, int port, int webPort)
    {
        _process = process;
        Port = port;
        WebPort = webPort;
    }

    public int Port { get; }

    /// <summary>The HTTP/1.1 endpoint (gRPC-Web, HTTP/JSON, the status page), as browsers reach a
    /// plaintext service: Kestrel 10 cannot serve HTTP/1.1 and h2c on one cleartext port.</summary>
    public int WebPort { get; }

    /// <summary>http://127.0.0.1:WebPort.</summary>
    public string WebUrl => $"http://127.0.0.1:{WebPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>host:port, as the peers take it.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>What the service wrote so far, for failure messages.</summary>
    public string Output => _process.Output;

    public static async Task<ServiceProcess> StartAsync(string connectionString, string filesRoot, string instanceId,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = RepositoryPaths.ServiceDll;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The service is not built: {dll}. Build the solution first (dotnet build StreamGrpc.sln -c Release).", dll);
        }

        // Another process may take the free port between the check and the bind: then the service
        // exits at start-up and the next attempt takes another port.
        var failures = new List<string>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var port = FreeLoopbackPort();
            var webPort = FreeLoopbackPort();
            while (webPort == port)
            {
                webPort = FreeLoopbackPort();
            }
            var environment = new Dictionary<string, string>
            {
                // Two loopback endpoints, as the service's default: h2c for gRPC, HTTP/1.1 for the web.
                ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{webPort.ToString(CultureInfo.InvariantCulture)}",
                ["Kestrel__Endpoints__Web__Protocols"] = "Http1",
                ["StreamGrpc__Auth__Mode"] = "None",
                ["DOTNET_GCgen0size"] = "0x1000000",
                ["ConnectionStrings__Postgres"] = connectionString,
                ["StreamGrpc__Files__Roots__demo"] = filesRoot,
                // For the jobs case: a target the peers may fill, and an instance id no other
                // service on this database shares (an instance fails the running jobs of its namesake at start).
                [$"StreamGrpc__Jobs__Tables__{TestDatabase.ImportTable}__Schema"] = "public",
                [$"StreamGrpc__Jobs__Tables__{TestDatabase.ImportTable}__Table"] = TestDatabase.ImportTable,
                ["StreamGrpc__Jobs__InstanceId"] = instanceId,
                // The test host's environment is not the service's.
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                environment[key] = value;
            }

            var process = ChildProcess.Start(RepositoryPaths.Dotnet, [dll, "--contentRoot", RepositoryPaths.ServiceContentRoot], RepositoryPaths.Root, environment);
            var service = new ServiceProcess(process, port, webPort);
            if (await service.WaitUntilServingAsync())
            {
                return service;
            }

            failures.Add($"attempt {attempt} on port {port}:\n{process.Output}");
            await service.DisposeAsync();
        }

        throw new InvalidOperationException($"StreamService did not start:\n{string.Join("\n", failures)}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>Polls health until SERVING (true), the process exits (false) or the bound passes (throws).</summary>
    private async Task<bool> WaitUntilServingAsync()
    {
        using var probe = new HealthProbe(new Uri($"http://{Address}"));
        using var timeout = new CancellationTokenSource(StartTimeout);
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            do
            {
                if (_process.HasExited)
                {
                    return false;
                }

                if (await probe.IsServingAsync(timeout.Token))
                {
                    return true;
                }
            }
            while (await timer.WaitForNextTickAsync(timeout.Token));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"StreamService did not answer health SERVING within {StartTimeout}. Output:\n{_process.Output}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
