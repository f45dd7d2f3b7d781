using StreamGrpc.Interop.Tests.Infrastructure;

namespace StreamGrpc.Interop.Tests;

/// <summary>The @grpc/grpc-js client runs every interop case against our server.</summary>
[Collection(StreamGrpcServerCollection.Name)]
public sealed class NodeClientTests(StreamGrpcServerFixture server)
{
    [Theory]
    [MemberData(nameof(InteropCases.All), MemberType = typeof(InteropCases))]
    public async Task Case_GrpcJsClientAgainstStreamGrpcServer_Passes(string testCase)
    {
        var results = await server.NodeClientRun.WaitAsync(InteropCases.PeerRunTimeout);
        results.AssertPassed(testCase);
    }
}
