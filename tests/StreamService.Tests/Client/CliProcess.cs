using System.Collections.Concurrent;
using System.Diagnostics;

namespace StreamService.Tests.Client;

/// <summary>The built <c>streamgrpc</c> CLI run from its own output folder (src/StreamClient/bin, as
/// a user runs it, with its own deps.json: the copy next to the tests resolves its dependencies
/// against the tests' ASP.NET Core framework reference instead) as a child process with
/// <c>dotnet</c>: stdout and stderr are pipes, so it writes plain text or NDJSON and no colours or
/// progress bars, as in a script.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>tests/StreamService.Tests/bin/{Configuration}/{tfm}/ -> src/StreamClient/bin/{Configuration}/{tfm}/streamgrpc.dll.</summary>
    private static readonly string CliPath = FindCli();

    private static string FindCli()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var repository = configuration.Parent!.Parent!.Parent!.Parent!;
        var path = Path.Combine(repository.FullName, "src", "StreamClient", "bin", configuration.Name, tfm.Name, "streamgrpc.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the streamgrpc CLI is not built: {path}");
    }

    private CliProcess(IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(CliPath);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment.Remove("STREAMGRPC_ADDRESS");
        startInfo.Environment.Remove("STREAMGRPC_TOKEN");
        _process = new Process { StartInfo = startInfo };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stdoutClosed.TrySetResult();
                return;
            }

            _stdout.Enqueue(e.Data);
            _firstLine.TrySetResult();
        };
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
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Completes when the first line appears on stdout.</summary>
    public Task FirstLine => _firstLine.Task;

    public static CliProcess Start(params string[] args) => new(args);

    /// <summary>Runs the CLI to its end; kills it and fails when it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var cli = Start(args);
        return await cli.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"streamgrpc did not exit within {timeout}; stdout:\n{string.Join('\n', _stdout)}\nstderr:\n{Stderr}");
        }

        return new CliResult(_process.ExitCode, [.. _stdout], Stderr);
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
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
}

/// <summary>How a CLI run ended.</summary>
internal sealed record CliResult(int ExitCode, IReadOnlyList<string> Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{Stderr}";
}
