using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace LlmBench;

/// <summary>StreamService in a child process (this program with <c>--serve</c>, which runs the same
/// StreamServiceApp wiring as the real service), so its memory can be measured on its own and the
/// client's work does not count against it.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ServiceProcess> StartAsync(Uri upstream)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            // Started as `dotnet LlmBench.dll`: the child needs the assembly path too.
            start.ArgumentList.Add(typeof(ServiceProcess).Assembly.Location);
        }

        start.ArgumentList.Add("--serve");
        foreach (var arg in ServiceArguments(address, upstream))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("[service] " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var channel = GrpcChannel.ForAddress(address);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest { Service = "streamgrpc.v1.LlmService" }, deadline: DateTime.UtcNow.AddSeconds(2)).ResponseAsync;
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    break;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
        }

        return new ServiceProcess(process, address);
    }

    /// <summary>The service's command line: the bench models routed to the local upstream.</summary>
    public static string[] ServiceArguments(Uri address, Uri upstream) =>
    [
        "--urls", address.ToString(),
        "--Logging:LogLevel:Default", "Warning",
        "--StreamGrpc:Auth:Mode", "None",
        // The service's own appsettings.json (rows, files and jobs need their settings to start;
        // the database itself is not needed for token streams).
        "--contentRoot", ServiceContentRoot(),
        "--StreamGrpc:Limits:CallsPerSecondPerCaller", "0",
        "--StreamGrpc:Limits:MaxConcurrentStreamsPerCaller", "0",
        "--StreamGrpc:Limits:MaxConcurrentStreams", "0",
        "--StreamGrpc:Llm:Models:0:Name", "bench-fast",
        "--StreamGrpc:Llm:Models:0:Backend", "openai",
        "--StreamGrpc:Llm:Models:0:BaseUrl", upstream.ToString(),
        "--StreamGrpc:Llm:Models:0:UpstreamModel", "fast",
        "--StreamGrpc:Llm:Models:1:Name", "bench-slow",
        "--StreamGrpc:Llm:Models:1:Backend", "openai",
        "--StreamGrpc:Llm:Models:1:BaseUrl", upstream.ToString(),
        "--StreamGrpc:Llm:Models:1:UpstreamModel", "slow",
        "--StreamGrpc:Llm:Models:2:Name", "builtin-bench",
        "--StreamGrpc:Llm:Models:2:Backend", "builtin",
        "--StreamGrpc:Llm:Models:2:TokensPerSecond", "100",
        "--StreamGrpc:Llm:Models:2:Text", "lorem",
    ];

    /// <summary>Resident memory of the service process, in bytes.</summary>
    public long WorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ServiceContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamGrpc.sln")))
            {
                return Path.Combine(dir.FullName, "src", "StreamService");
            }
        }

        throw new InvalidOperationException("Run the bench from inside the repository (StreamGrpc.sln not found above it).");
    }
}
