using StreamGrpc.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StreamGrpc.Interop.Tests;

/// <summary>The @grpc/grpc-js client (Node) runs every case against the service.</summary>
[Collection(InteropCollection.Name)]
public sealed class NodeClientTests(InteropFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(InteropCases.All), MemberType = typeof(InteropCases))]
    public async Task Case_GrpcJsClientAgainstStreamService_Passes(string testCase)
    {
        // The grpc-js run starts after the grpcio run.
        var run = await fixture.NodeRun.WaitAsync(2 * (InteropCases.PeerRunTimeout + TimeSpan.FromSeconds(30)));
        output.WriteLine(run.Describe(testCase));
        run.AssertPassed(testCase, fixture.ServiceOutput);
    }
}
