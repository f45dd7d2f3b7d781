using System.Diagnostics;

namespace StreamGrpc.Bench.Transport;

/// <summary>CPU time of the client process, for the per-message client cost column.</summary>
internal static class ClientCpu
{
    public static TimeSpan Now()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
