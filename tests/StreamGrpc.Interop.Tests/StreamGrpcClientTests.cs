using StreamGrpc.Interop.Client;
using StreamGrpc.Interop.Tests.Infrastructure;

namespace StreamGrpc.Interop.Tests;

/// <summary>Our client runs every interop case against grpcio's C-core server.</summary>
[Collection(PythonServerCollection.Name)]
public sealed class StreamGrpcClientAgainstGrpcioServerTests(PythonServerFixture server)
{
    // grpcio's Python server cannot see whether a request was compressed, so it cannot refuse the
    // client_compressed_unary probe; the compressed call still has to be decoded by C-core.
    private static readonly InteropClientOptions Options = new(SkipCompressionProbe: true);

    [Theory]
    [MemberData(nameof(InteropCases.All), MemberType = typeof(InteropCases))]
    public async Task Case_StreamGrpcClientAgainstGrpcioServer_Passes(string testCase)
    {
        using var client = InteropClient.Create("127.0.0.1", server.Port, Options);
        var result = await client.RunAsync(testCase).WaitAsync(InteropCases.PeerRunTimeout);
        Assert.True(result.Passed, result.ToString());
    }
}

/// <summary>Our client against our server, with the compression probe: the pair the peers cannot
/// fully check (only our server can refuse an uncompressed request that claims compression).</summary>
[Collection(StreamGrpcServerCollection.Name)]
public sealed class StreamGrpcClientAgainstStreamGrpcServerTests(StreamGrpcServerFixture server)
{
    [Theory]
    [MemberData(nameof(InteropCases.All), MemberType = typeof(InteropCases))]
    public async Task Case_StreamGrpcClientAgainstStreamGrpcServer_Passes(string testCase)
    {
        using var client = InteropClient.Create("127.0.0.1", server.Port);
        var result = await client.RunAsync(testCase).WaitAsync(InteropCases.PeerRunTimeout);
        Assert.True(result.Passed, result.ToString());
    }
}
