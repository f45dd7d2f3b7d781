using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace FilesBench;

/// <summary>StreamService (Release build) started as a child process on a free loopback port,
/// serving one root, so its memory can be read from /proc apart from the client's.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ServiceProcess> StartAsync(string serviceDll, string rootName, string rootDirectory)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                serviceDll,
                "--urls", $"http://127.0.0.1:{port}",
                $"--StreamGrpc:Files:Roots:{rootName}={rootDirectory}",
                "--Logging:LogLevel:Default=Warning",
                "--StreamGrpc:Auth:Mode=None",
                "--StreamGrpc:Limits:CallsPerSecondPerCaller=0",
                "--StreamGrpc:Limits:MaxConcurrentStreamsPerCaller=0",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(serviceDll)!,
        };
        // As run.sh and the Dockerfile launch it (see the GC note in StreamService.csproj).
        start.Environment["DOTNET_GCgen0size"] = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "0x1000000";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[service] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var address = new Uri($"http://127.0.0.1:{port}");
        using var channel = GrpcChannel.ForAddress(address);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return new ServiceProcess(process, address);
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    public int ProcessId => _process.Id;

    /// <summary>CPU time (user + system) the service process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Peak resident set size (VmHWM) of the service process so far, in bytes.</summary>
    public long PeakRssBytes => ProcStatus.ReadKilobytes(_process.Id, "VmHWM:") * 1024;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
