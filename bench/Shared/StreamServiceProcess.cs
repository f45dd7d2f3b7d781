using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;

namespace StreamGrpc.Bench;

/// <summary>StreamService (Release build) as its own process on a free loopback port, so its memory
/// and CPU are measured apart from the client's. Settings are environment variables
/// (<c>Section__Key</c>); auth and the per-caller limits are off, as the benchmarks measure the stream path.</summary>
internal sealed class StreamServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private StreamServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    /// <summary>The service's base address (<c>http://127.0.0.1:port</c>). grpc-dotnet's
    /// <see cref="GrpcChannel.Target"/> is only the authority (<c>127.0.0.1:port</c>), no URI.</summary>
    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Starts the service and waits until <paramref name="probe"/> succeeds on it (60 s at most).</summary>
    public static async Task<StreamServiceProcess> StartAsync(string repositoryRoot, string connectionString, IReadOnlyDictionary<string, string> settings, Func<GrpcChannel, Task> probe)
    {
        var dll = Path.Combine(repositoryRoot, "src", "StreamService", "bin", "Release", "net10.0", "StreamService.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} not found: run `dotnet build src/StreamService -c Release` first");
        }

        var port = FreePort();
        var startInfo = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add(dll);
        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["ConnectionStrings__Postgres"] = connectionString;
        startInfo.Environment["Logging__LogLevel__Default"] = "Warning";
        startInfo.Environment["StreamGrpc__Auth__Mode"] = "None";
        // As run.sh and the Dockerfile launch it (see the GC note in StreamService.csproj).
        startInfo.Environment["DOTNET_GCgen0size"] = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "0x1000000";
        startInfo.Environment["StreamGrpc__Limits__CallsPerSecondPerCaller"] = "0";
        startInfo.Environment["StreamGrpc__Limits__MaxConcurrentStreamsPerCaller"] = "0";
        foreach (var (key, value) in settings)
        {
            startInfo.Environment[key] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the service");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("service: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new StreamServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        await service.WaitUntilServingAsync(probe);
        return service;
    }

    /// <summary>The service's process id (for perf and /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>CPU time the service has used so far.</summary>
    public TimeSpan ProcessorTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Peak resident set size of the service so far (VmHWM in /proc/PID/status).</summary>
    public long PeakRssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("VmHWM not found");
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilServingAsync(Func<GrpcChannel, Task> probe)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with code {_process.ExitCode}");
            }

            try
            {
                await probe(Channel);
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < until)
            {
                // Not listening (or not reaching the database) yet: try again shortly.
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
