using StreamGrpc.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StreamGrpc.Interop.Tests;

/// <summary>connect-node's gRPC-Web transport (and the -text format over fetch) runs every gRPC-Web
/// case against the service's HTTP/1.1 endpoint.</summary>
[Collection(InteropCollection.Name)]
public sealed class GrpcWebClientTests(InteropFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(InteropCases.GrpcWeb), MemberType = typeof(InteropCases))]
    public async Task Case_ConnectGrpcWebClientAgainstStreamService_Passes(string testCase)
    {
        // The gRPC-Web run starts after the grpcio and grpc-js runs.
        var run = await fixture.GrpcWebRun.WaitAsync(3 * (InteropCases.PeerRunTimeout + TimeSpan.FromSeconds(30)));
        output.WriteLine(run.Describe(testCase));
        run.AssertPassed(testCase, fixture.ServiceOutput);
    }
}
