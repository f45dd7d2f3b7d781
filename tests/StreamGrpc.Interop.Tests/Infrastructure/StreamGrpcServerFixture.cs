using System.Net;
using StreamGrpc.Interop.Server;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>Our interop server on a free loopback port (in-process Kestrel), plus one run of each
/// peer client over all cases against it. The runs start together when the fixture starts and
/// every test awaits the run it reports from, so each peer interpreter starts once, not per case.</summary>
public sealed class StreamGrpcServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public int Port { get; private set; }

    internal Task<PeerResults> PythonClientRun { get; private set; } = null!;

    internal Task<PeerResults> NodeClientRun { get; private set; } = null!;

    internal Task<PeerResults> PythonReflectionRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = InteropServerHost.Build(new InteropServerArguments(IPAddress.Loopback, 0));
        await _app.StartAsync().WaitAsync(InteropCases.StartTimeout);
        Port = InteropServerHost.GetPort(_app);

        string[] target = ["--server_host", "127.0.0.1", "--server_port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        PythonClientRun = PeerResults.RunAsync(RepositoryPaths.Python,
            ["interop_client.py", .. target, "--test_case", "all"], RepositoryPaths.PythonPeers, InteropCases.PeerRunTimeout);
        NodeClientRun = PeerResults.RunAsync(RepositoryPaths.Node,
            ["interop_client.js", .. target, "--test_case", "all"], RepositoryPaths.NodePeers, InteropCases.PeerRunTimeout);
        PythonReflectionRun = PeerResults.RunAsync(RepositoryPaths.Python,
            ["reflection_check.py", .. target], RepositoryPaths.PythonPeers, InteropCases.PeerRunTimeout);
    }

    public async Task DisposeAsync()
    {
        // Let the peer runs finish (each is bounded) before the server goes away under them.
        await Task.WhenAll(Observe(PythonClientRun), Observe(NodeClientRun), Observe(PythonReflectionRun));
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }
    }

    private static async Task Observe(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.WaitAsync(InteropCases.PeerRunTimeout + TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Reported by the tests that await the run; here only its end matters.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StreamGrpcServerCollection : ICollectionFixture<StreamGrpcServerFixture>
{
    public const string Name = "StreamGrpc interop server";
}
