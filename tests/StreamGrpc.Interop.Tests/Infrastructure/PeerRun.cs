using System.Text.Json;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>One run of a peer client over every case against the service, in harness mode: the
/// peer prints one JSON line per case (<c>{"case", "passed", "detail"}</c>) and, at a sync point,
/// <c>{"sync": point, "case": name}</c>, which the harness answers on the peer's stdin with
/// <c>{"sync": point, "ok", "detail"}</c> after checking the database itself. Each case is then
/// reported as its own test, from the peer's result and the harness's own checks.</summary>
internal sealed class PeerRun
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (bool Passed, string Detail)> _results = new(StringComparer.Ordinal);
    private readonly List<SyncCheck> _checks = [];

    private PeerRun(string peer)
    {
        Peer = peer;
    }

    public string Peer { get; }

    public string CommandLine { get; private set; } = "";

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = "";

    /// <summary>Runs the peer to its end (bounded by <paramref name="timeout"/>), answering its sync
    /// points with <paramref name="onSync"/>.</summary>
    public static async Task<PeerRun> RunAsync(string peer, string fileName, IEnumerable<string> arguments, string workingDirectory,
        Func<string, CancellationToken, Task<SyncCheck>> onSync, TimeSpan timeout)
    {
        var run = new PeerRun(peer);
        await using var process = ChildProcess.Start(fileName, arguments, workingDirectory);
        run.CommandLine = process.CommandLine;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in process.ReadLinesAsync(cts.Token))
            {
                await run.OnLineAsync(process, line, onSync, cts.Token);
            }

            run.ExitCode = await process.WaitForExitAsync(timeout);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            run.ExitCode = -1;
            run._results.TryAdd("(run)", (false, $"the peer did not finish within {timeout}"));
        }

        run.Output = process.Output;
        return run;
    }

    /// <summary>Fails the calling test unless the peer reported <paramref name="testCase"/> as passed
    /// and every database check the harness made for it passed, with each expected sync point reached.
    /// A failure message ends with the last lines <paramref name="serviceOutput"/> (the service's log).</summary>
    public void AssertPassed(string testCase, string serviceOutput)
    {
        var serviceTail = string.Join('\n', serviceOutput.Split('\n').TakeLast(30));
        if (!_results.TryGetValue(testCase, out var result))
        {
            Assert.Fail($"{Peer} reported no result for {testCase} (exit code {ExitCode}).\n{CommandLine}\nOutput:\n{Output}\nService:\n{serviceTail}");
        }

        Assert.True(result.Passed, $"{Peer} {testCase}: {result.Detail}\n({CommandLine})\nService:\n{serviceTail}");

        var checks = _checks.Where(c => c.Case == testCase).ToList();
        var expected = InteropCases.SyncPoints(testCase);
        var reached = checks.Select(c => c.Point).ToList();
        Assert.True(expected.SequenceEqual(reached), $"{Peer} {testCase}: sync points {string.Join(", ", reached)}, expected {string.Join(", ", expected)}");
        foreach (var check in checks)
        {
            Assert.True(check.Ok, $"{Peer} {testCase} at {check.Point}: {check.Detail}");
        }
    }

    /// <summary>What the peer and the harness said about <paramref name="testCase"/>, for the test's output.</summary>
    public string Describe(string testCase)
    {
        var lines = new List<string>
        {
            _results.TryGetValue(testCase, out var r) ? $"{Peer} {testCase}: {(r.Passed ? "passed" : "FAILED")}: {r.Detail}" : $"{Peer} {testCase}: no result",
        };
        lines.AddRange(_checks.Where(c => c.Case == testCase).Select(c => $"  harness at {c.Point}: {(c.Ok ? "ok" : "FAILED")}: {c.Detail}"));
        return string.Join('\n', lines);
    }

    private async Task OnLineAsync(ChildProcess process, string line, Func<string, CancellationToken, Task<SyncCheck>> onSync, CancellationToken cancellationToken)
    {
        if (!line.StartsWith('{'))
        {
            return;
        }

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        if (root.TryGetProperty("sync", out var sync))
        {
            var point = sync.GetString() ?? "";
            var caseName = root.TryGetProperty("case", out var c) ? c.GetString() ?? "" : "";
            SyncCheck check;
            try
            {
                check = await onSync(point, cancellationToken) with { Case = caseName };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                check = new SyncCheck(caseName, point, false, $"the harness failed: {e.Message}");
            }

            _checks.Add(check);
            await process.WriteLineAsync(JsonSerializer.Serialize(new { sync = point, ok = check.Ok, detail = check.Detail }), AnswerTimeout);
        }
        else if (root.TryGetProperty("case", out var name) && root.TryGetProperty("passed", out var passed))
        {
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
            _results[name.GetString() ?? ""] = (passed.GetBoolean(), detail);
        }
    }
}

/// <summary>What the harness found in the database at one sync point of a case.</summary>
internal sealed record SyncCheck(string Case, string Point, bool Ok, string Detail);
