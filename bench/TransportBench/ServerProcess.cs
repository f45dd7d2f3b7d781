using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace StreamGrpc.Bench.Transport;

/// <summary>The benchmark re-launched in the server role as a child process, so the client's work
/// does not show up in the server's allocation and CPU figures.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ServerProcess> StartAsync(TimeSpan timeout)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("Unknown process path."),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Under `dotnet TransportBench.dll` the process is the host; pass the entry assembly.
        if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("--server");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server process.");
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The server process exited before it was ready.");
                if (line.StartsWith(BenchServer.ReadyPrefix, StringComparison.Ordinal))
                {
                    var port = int.Parse(line.AsSpan(BenchServer.ReadyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);
                    return new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
                }
            }
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
            }
        }
        finally
        {
            process.Dispose();
        }
    }
}
