using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using StreamGrpc.V1;
using Grpc.Net.Client;

namespace RowsBench;

/// <summary>StreamService (Release build) as its own process on a free loopback port, so its
/// memory is measured apart from the client's.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, GrpcChannel channel)
    {
        _process = process;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<ServiceProcess> StartAsync(string root, string connectionString, string largeTable)
    {
        var dll = Path.Combine(root, "src", "StreamService", "bin", "Release", "net10.0", "StreamService.dll");
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
        startInfo.Environment["StreamGrpc__Rows__Datasets__events5m__Table"] = largeTable;
        startInfo.Environment["StreamGrpc__Rows__Datasets__events5m__KeyColumns__0"] = "id";
        startInfo.Environment["Logging__LogLevel__Default"] = "Warning";
        // Benchmarks measure the stream path, not the gate: auth off, per-caller limits off.
        startInfo.Environment["StreamGrpc__Auth__Mode"] = "None";
        startInfo.Environment["StreamGrpc__Limits__CallsPerSecondPerCaller"] = "0";
        startInfo.Environment["StreamGrpc__Limits__MaxConcurrentStreamsPerCaller"] = "0";
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the service");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("service: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var service = new ServiceProcess(process, channel);
        await service.WaitUntilServingAsync();
        return service;
    }

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

    private async Task WaitUntilServingAsync()
    {
        // Ready when a one-row stream succeeds (the service listens and reaches the database).
        var client = new RowsService.RowsServiceClient(Channel);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with code {_process.ExitCode}");
            }

            try
            {
                using var call = client.StreamRows(new StreamRowsRequest { Dataset = "events", Limit = 1 }, deadline: DateTime.UtcNow.AddSeconds(5));
                await foreach (var _ in call.ResponseStream.ReadAllAsync())
                {
                }

                return;
            }
            catch (RpcException) when (DateTime.UtcNow < until)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("the service did not become healthy within 60 s");
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
}
