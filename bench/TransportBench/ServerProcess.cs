using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace StreamGrpc.Bench.Transport;

/// <summary>The benchmark re-launched in the server role as a child process, so the client's work
/// does not show up in the server's allocation and CPU figures.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address, bool serverGc)
    {
        _process = process;
        Address = address;
        ServerGc = serverGc;
    }

    public Uri Address { get; }

    /// <summary>Whether the server process runs server GC (it reports it when ready).</summary>
    public bool ServerGc { get; }

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
        // The server stands for StreamService (Sdk.Web), whose default is server GC.
        start.Environment["DOTNET_gcServer"] = "1";
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
                    var fields = line.Substring(BenchServer.ReadyPrefix.Length).Split(' ');
                    var port = int.Parse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture);
                    return new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), fields.Length > 1 && bool.Parse(fields[1]));
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
