namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The per-case results a peer client printed ("RESULT name PASS" / "RESULT name FAIL
/// reason"), so one peer process can run many cases and each is still reported as its own test.</summary>
internal sealed class PeerResults
{
    private readonly Dictionary<string, (bool Passed, string Reason)> _results;

    private PeerResults(string commandLine, int exitCode, string output, Dictionary<string, (bool, string)> results)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        Output = output;
        _results = results;
    }

    public string CommandLine { get; }

    public int ExitCode { get; }

    public string Output { get; }

    /// <summary>Runs a peer program to its end and collects its RESULT lines.</summary>
    public static async Task<PeerResults> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        await using var peer = PeerProcess.Start(fileName, arguments, workingDirectory);
        var exitCode = await peer.WaitForExitAsync(timeout);
        var output = peer.Output;
        var results = new Dictionary<string, (bool, string)>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var parts = line.TrimEnd('\r').Split(' ', 4);
            if (parts.Length >= 3 && parts[0] == "RESULT")
            {
                results[parts[1]] = (parts[2] == "PASS", parts.Length == 4 ? parts[3] : string.Empty);
            }
        }

        return new PeerResults(peer.CommandLine, exitCode, output, results);
    }

    /// <summary>Fails the calling test unless the peer reported <paramref name="name"/> as passed.</summary>
    public void AssertPassed(string name)
    {
        if (!_results.TryGetValue(name, out var result))
        {
            Assert.Fail($"'{CommandLine}' reported no result for {name} (exit code {ExitCode}). Output:\n{Output}");
        }

        Assert.True(result.Passed, $"{name} failed: {result.Reason}\n(peer: {CommandLine})");
    }
}
