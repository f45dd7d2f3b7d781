using StreamGrpc.Interop.Tests.Infrastructure;

namespace StreamGrpc.Interop.Tests;

/// <summary>grpcio's C-core client (Debian's python3-grpcio) runs every interop case against our server.</summary>
[Collection(StreamGrpcServerCollection.Name)]
public sealed class PythonClientTests(StreamGrpcServerFixture server)
{
    [Theory]
    [MemberData(nameof(InteropCases.All), MemberType = typeof(InteropCases))]
    public async Task Case_GrpcioClientAgainstStreamGrpcServer_Passes(string testCase)
    {
        var results = await server.PythonClientRun.WaitAsync(InteropCases.PeerRunTimeout);
        results.AssertPassed(testCase);
    }
}
