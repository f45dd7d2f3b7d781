namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>Where the service, the peers and the scripts live, found from the test assembly's location.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static string Scripts => Path.Combine(Root, "scripts");

    public static string PythonPeers => Path.Combine(Root, "tests", "Interop", "python");

    public static string NodePeers => Path.Combine(Root, "tests", "Interop", "node");

    /// <summary>The browser-side peers: connect-node's gRPC-Web client and the puppeteer-core page check.</summary>
    public static string WebPeers => Path.Combine(Root, "tests", "Interop", "web");

    /// <summary>The service's content root, as run.sh passes it (<c>--contentRoot src/StreamService</c>).</summary>
    public static string ServiceContentRoot => Path.Combine(Root, "src", "StreamService");

    /// <summary>The built service, <c>src/StreamService/bin/CONFIG/TFM/StreamService.dll</c>: the tests
    /// run from <c>bin/CONFIG/TFM</c> too, and building them builds the service with the same CONFIG and TFM.</summary>
    public static string ServiceDll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(ServiceContentRoot, "bin", output.Parent!.Name, output.Name, "StreamService.dll");
        }
    }

    /// <summary>The repository's ignored data folder (throwaway PostgreSQL, demo files).</summary>
    public static string Data => Path.Combine(Root, ".data");

    /// <summary>google/api/*.proto as the Google.Api.CommonProtos package ships them (the contracts
    /// import google/api/annotations.proto), from the package folder this project restored.</summary>
    public static string GoogleApiProtos { get; } =
        typeof(RepositoryPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "GoogleApiProtos").Value!;

    /// <summary>Debian's interpreter: the one that sees python3-grpcio (a pyenv python3 on PATH does not).</summary>
    public const string Python = "/usr/bin/python3";

    public const string Node = "node";

    /// <summary>The dotnet host running the tests, so the service runs on the same runtime.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"StreamGrpc.sln not found above {AppContext.BaseDirectory}.");
    }
}
