using StreamGrpc.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StreamGrpc.Interop.Tests;

/// <summary>grpcio's C-core client (Debian's python3-grpcio) runs every case against the service.</summary>
[Collection(InteropCollection.Name)]
public sealed class PythonClientTests(InteropFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(InteropCases.All), MemberType = typeof(InteropCases))]
    public async Task Case_GrpcioClientAgainstStreamService_Passes(string testCase)
    {
        var run = await fixture.PythonRun.WaitAsync(InteropCases.PeerRunTimeout + TimeSpan.FromSeconds(30));
        output.WriteLine(run.Describe(testCase));
        run.AssertPassed(testCase, fixture.ServiceOutput);
    }
}
