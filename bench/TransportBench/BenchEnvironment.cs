using System.Runtime;
using System.Runtime.InteropServices;

namespace StreamGrpc.Bench.Transport;

/// <summary>The machine and runtime a result was measured on, including the load average: the
/// machine may be shared, and load from other processes lowers both transports' figures.</summary>
internal sealed record BenchEnvironment(
    int ProcessorCount,
    string Os,
    string Runtime,
    bool ClientServerGc,
    bool ServerServerGc,
    string? LoadAverageAtStart,
    string? LoadAverageAtEnd)
{
    public static BenchEnvironment Capture(bool serverProcessServerGc) => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        GCSettings.IsServerGC,
        serverProcessServerGc,
        ReadLoadAverage(),
        null);

    public static string? ReadLoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return null;
        }

        var fields = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', fields.Take(3));
    }
}
