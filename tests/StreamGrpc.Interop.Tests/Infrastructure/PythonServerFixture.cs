using System.Globalization;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The grpcio (C-core) TestService server from tests/Interop/python on a free loopback
/// port, for our client to run the interop cases against.</summary>
public sealed class PythonServerFixture : IAsyncLifetime
{
    private PeerProcess? _server;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        _server = PeerProcess.Start(RepositoryPaths.Python,
            ["interop_server.py", "--port", "0", "--exit_on_stdin_eof"], RepositoryPaths.PythonPeers);
        var line = await _server.WaitForLineAsync(l => l.StartsWith("listening on ", StringComparison.Ordinal), InteropCases.StartTimeout);
        Port = int.Parse(line["listening on ".Length..], CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PythonServerCollection : ICollectionFixture<PythonServerFixture>
{
    public const string Name = "grpcio interop server";
}
