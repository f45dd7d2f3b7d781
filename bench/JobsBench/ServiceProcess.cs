using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.V1;

namespace JobsBench;

/// <summary>StreamService (Release build) as its own process on a free loopback port, serving the
/// bench folder as file root "bench" and one import target.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, GrpcChannel channel)
    {
        _process = process;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<ServiceProcess> StartAsync(string repositoryRoot, string connectionString, string fileRoot, string table)
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
        startInfo.Environment["StreamGrpc__Files__Roots__bench"] = fileRoot;
        startInfo.Environment["StreamGrpc__Jobs__CreateDemoTable"] = "false";
        startInfo.Environment[$"StreamGrpc__Jobs__Tables__{table}__Table"] = table;
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

        var service = new ServiceProcess(process, GrpcChannel.ForAddress($"http://127.0.0.1:{port}"));
        await service.WaitUntilServingAsync();
        return service;
    }

    private async Task WaitUntilServingAsync()
    {
        var client = new JobsService.JobsServiceClient(Channel);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with code {_process.ExitCode}");
            }

            try
            {
                await client.ListAsync(new ListJobsRequest { Limit = 1 }, deadline: DateTime.UtcNow.AddSeconds(5));
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < until)
            {
                // Not listening yet.
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
