namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The repository's dev scripts (scripts/*.sh), run to their end with a bound; a failing
/// script fails the calling fixture with its output, nothing is skipped.</summary>
internal static class Scripts
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs <c>scripts/<paramref name="script"/></c> and returns its stdout lines.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(string script, params string[] arguments)
    {
        await using var process = ChildProcess.Start("bash", [Path.Combine(RepositoryPaths.Scripts, script), .. arguments], RepositoryPaths.Root);
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await foreach (var line in process.ReadLinesAsync(timeout.Token))
            {
                lines.Add(line);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"scripts/{script} did not finish within {Timeout}. Output:\n{process.Output}");
        }

        var exitCode = await process.WaitForExitAsync(Timeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"scripts/{script} {string.Join(' ', arguments)} failed with exit code {exitCode}:\n{process.Output}");
        }

        return lines;
    }
}
