using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;

namespace StreamGrpc.Bench.Transport;

/// <summary>The machine and runtime a result was measured on, including the gRPC stack (so a table
/// from this build is not mistaken for one from the project's former runtime) and the load average:
/// the machine may be shared, and load from other processes lowers both transports' figures.</summary>
internal sealed record BenchEnvironment(
    int ProcessorCount,
    string Os,
    string Runtime,
    string GrpcStack,
    bool ClientServerGc,
    bool ServerServerGc,
    string? LoadAverageAtStart,
    string? LoadAverageAtEnd)
{
    public static BenchEnvironment Capture(bool serverProcessServerGc) => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        $"grpc-dotnet: Grpc.AspNetCore.Server {VersionOf(typeof(GrpcServiceOptions))}, Grpc.Net.Client {VersionOf(typeof(GrpcChannel))}",
        GCSettings.IsServerGC,
        serverProcessServerGc,
        ReadLoadAverage(),
        null);

    /// <summary>The package version (informational version without the source revision).</summary>
    private static string VersionOf(Type type)
    {
        var version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? type.Assembly.GetName().Version?.ToString()
            ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

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
