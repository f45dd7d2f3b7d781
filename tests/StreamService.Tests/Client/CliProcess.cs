using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace StreamService.Tests.Client;

/// <summary>The built <c>streamgrpc</c> CLI run from its own output folder (src/StreamClient/bin, as
/// a user runs it, with its own deps.json: the copy next to the tests resolves its dependencies
/// against the tests' ASP.NET Core framework reference instead) as a child process with
/// <c>dotnet</c>: stdout and stderr are pipes, so it writes plain text or NDJSON and no colours or
/// progress bars, as in a script.</summary>
/// <remarks>The child starts through <c>env --default-signal</c>, which resets every signal to its
/// default disposition before the CLI starts: a test run from a background job, nohup or a CI runner
/// inherits SIGINT (and maybe others) as ignored, and an ignored disposition survives exec, so the
/// CLI would never see the signal a test sends. Stdout is read here line by line, so a test can
/// close it early like <c>| head -n N</c>.</remarks>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<long> _stdoutClosedByTest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stdoutRead;

    /// <summary>tests/StreamService.Tests/bin/{Configuration}/{tfm}/ -> src/StreamClient/bin/{Configuration}/{tfm}/streamgrpc.dll.</summary>
    internal static readonly string CliPath = FindCli();

    private static string FindCli()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var repository = configuration.Parent!.Parent!.Parent!.Parent!;
        var path = Path.Combine(repository.FullName, "src", "StreamClient", "bin", configuration.Name, tfm.Name, "streamgrpc.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the streamgrpc CLI is not built: {path}");
    }

    private CliProcess(IEnumerable<string> args, int? closeStdoutAfterLines)
    {
        var startInfo = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("--default-signal");
        startInfo.ArgumentList.Add("dotnet");
        startInfo.ArgumentList.Add(CliPath);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment.Remove("STREAMGRPC_ADDRESS");
        startInfo.Environment.Remove("STREAMGRPC_TOKEN");
        _process = new Process { StartInfo = startInfo };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stderrClosed.TrySetResult();
                return;
            }

            _stderr.Enqueue(e.Data);
        };
        _process.Start();
        _process.BeginErrorReadLine();
        _stdoutRead = ReadStdoutAsync(closeStdoutAfterLines);
    }

    public int Id => _process.Id;

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Completes when the first line appears on stdout.</summary>
    public Task FirstLine => _firstLine.Task;

    /// <summary>Completes with the <see cref="Stopwatch"/> timestamp at which the test closed the
    /// reading end of stdout.</summary>
    public Task<long> StdoutClosedByTest => _stdoutClosedByTest.Task;

    public static CliProcess Start(params string[] args) => new(args, null);

    /// <summary>Starts the CLI and closes the reading end of its stdout after <paramref name="lines"/>
    /// lines, as <c>streamgrpc ... | head -n lines</c> does when head exits.</summary>
    public static CliProcess StartReadingOnly(int lines, params string[] args) => new(args, lines);

    /// <summary>Runs the CLI to its end; kills it and fails when it takes longer than 60 s.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var cli = Start(args);
        return await cli.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        long exitedAt;
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            exitedAt = Stopwatch.GetTimestamp();
            await Task.WhenAll(_stdoutRead, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"streamgrpc did not exit within {timeout}; stdout:\n{string.Join('\n', _stdout)}\nstderr:\n{Stderr}");
        }

        return new CliResult(_process.ExitCode, [.. _stdout], Stderr, exitedAt);
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public Task InterruptAsync() => SignalAsync("INT");

    /// <summary>Sends a signal by name (INT, TERM, HUP) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, _process.Id.ToString(CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task ReadStdoutAsync(int? closeAfterLines)
    {
        var reader = _process.StandardOutput;
        var lines = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            _stdout.Enqueue(line);
            _firstLine.TrySetResult();
            if (++lines == closeAfterLines)
            {
                reader.Dispose(); // the pipe's only reading end: the CLI's next write gets EPIPE
                _stdoutClosedByTest.TrySetResult(Stopwatch.GetTimestamp());
                return;
            }
        }
    }
}

/// <summary>How a CLI run ended (<paramref name="ExitedAt"/>: when the test saw it end, a <see cref="Stopwatch"/> timestamp).</summary>
internal sealed record CliResult(int ExitCode, IReadOnlyList<string> Stdout, string Stderr, long ExitedAt = 0)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{Stderr}";
}
