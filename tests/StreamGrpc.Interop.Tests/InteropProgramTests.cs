using System.Globalization;
using StreamGrpc.Interop.Tests.Infrastructure;

namespace StreamGrpc.Interop.Tests;

/// <summary>The interop server and client as the standalone programs other implementations use
/// (arguments, "listening on" line, exit codes), not only as in-process classes.</summary>
[Collection(PythonServerCollection.Name)]
public sealed class InteropProgramTests(PythonServerFixture pythonServer)
{
    [Fact]
    public async Task ServerProgram_GrpcioClientRunsCases_Passes()
    {
        await using var server = PeerProcess.Start("dotnet",
            [ProgramPath("StreamGrpc.Interop.Server"), "--port", "0"], AppContext.BaseDirectory);
        var line = await server.WaitForLineAsync(l => l.StartsWith("listening on ", StringComparison.Ordinal), InteropCases.StartTimeout);
        var port = line["listening on ".Length..];

        var results = await PeerResults.RunAsync(RepositoryPaths.Python,
            ["interop_client.py", "--server_host", "127.0.0.1", "--server_port", port, "--test_case", "empty_unary,large_unary,ping_pong"],
            RepositoryPaths.PythonPeers, InteropCases.PeerRunTimeout);

        results.AssertPassed("empty_unary");
        results.AssertPassed("large_unary");
        results.AssertPassed("ping_pong");
        Assert.Equal(0, results.ExitCode);
    }

    [Fact]
    public async Task ClientProgram_AgainstGrpcioServer_PrintsResultsAndExitsZero()
    {
        var results = await PeerResults.RunAsync("dotnet",
            [ProgramPath("StreamGrpc.Interop.Client"), "--server_host", "127.0.0.1",
             "--server_port", pythonServer.Port.ToString(CultureInfo.InvariantCulture), "--test_case", "empty_unary,custom_metadata"],
            AppContext.BaseDirectory, InteropCases.PeerRunTimeout);

        results.AssertPassed("empty_unary");
        results.AssertPassed("custom_metadata");
        Assert.Equal(0, results.ExitCode);
    }

    [Fact]
    public async Task ClientProgram_FailingCase_ExitsNonZeroWithReason()
    {
        // grpcio's server cannot refuse the uncompressed probe, so with the probe on the case must fail.
        var results = await PeerResults.RunAsync("dotnet",
            [ProgramPath("StreamGrpc.Interop.Client"), "--server_host", "127.0.0.1",
             "--server_port", pythonServer.Port.ToString(CultureInfo.InvariantCulture), "--test_case", "client_compressed_unary"],
            AppContext.BaseDirectory, InteropCases.PeerRunTimeout);

        Assert.NotEqual(0, results.ExitCode);
        Assert.Contains("RESULT client_compressed_unary FAIL probe", results.Output, StringComparison.Ordinal);
    }

    private static string ProgramPath(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing");
        return path;
    }
}
