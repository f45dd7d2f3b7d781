using StreamGrpc.Interop.Tests.Infrastructure;

namespace StreamGrpc.Interop.Tests;

/// <summary>A grpcio reflection client lists services and fetches descriptors with their transitive
/// dependencies from our server, over grpc.reflection.v1 and v1alpha.</summary>
[Collection(StreamGrpcServerCollection.Name)]
public sealed class ReflectionTests(StreamGrpcServerFixture server)
{
    [Theory]
    [MemberData(nameof(InteropCases.ReflectionChecks), MemberType = typeof(InteropCases))]
    public async Task Check_GrpcioReflectionClientAgainstStreamGrpcServer_Passes(string check)
    {
        var results = await server.PythonReflectionRun.WaitAsync(InteropCases.PeerRunTimeout);
        results.AssertPassed(check);
    }
}
